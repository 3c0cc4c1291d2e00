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

        from .choices import BUSINESS_ROLES, Role

        regional = REGULATOR_ROLES
        scoping.grant(regional, "core.region", {scoping.VIEW})
        # the audit log, scoped like its objects and presented per viewer (core.audit.lines_for)
        scoping.grant([*REGULATOR_ROLES, *BUSINESS_ROLES], "core.auditentry", {scoping.VIEW})
        # officials of one's area, for those who assign them (包保) — never the whole city's
        scoping.grant([Role.CITY_ADMIN, Role.DISTRICT_REGULATOR], "core.user", {scoping.VIEW})
        # every account keeps its own API tokens
        scoping.grant(list(Role.values), "core.apitoken", {scoping.VIEW, scoping.ADD, scoping.DELETE})
        # background jobs (core.jobs): their progress is seen within the job's scope (region or business)
        scoping.grant([*REGULATOR_ROLES, *BUSINESS_ROLES], "core.job", {scoping.VIEW})
