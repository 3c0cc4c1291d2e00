from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import demo, demo_city, scoping
        from .choices import REGULATOR_ROLES

        demo.register("core.regions", demo_city.generate_regions, order=10)
        demo.register("core.accounts", demo_city.generate_regional_accounts, order=15)

        regional = REGULATOR_ROLES
        scoping.grant(regional, "core.region", {scoping.VIEW})
