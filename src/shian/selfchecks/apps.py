from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfChecksConfig(AppConfig):
    name = "shian.selfchecks"
    label = "selfchecks"
    verbose_name = _("Self-checks")

    def ready(self) -> None:
        from shian.core import demo, kpis, navigation, scoping, tabs
        from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES

        from . import demo as selfchecks_demo
        from . import kpis as selfchecks_kpis
        from . import views

        regulators = REGULATOR_ROLES
        scoping.grant(regulators, "selfchecks.selfcheck", {scoping.VIEW})
        scoping.grant(BUSINESS_ROLES, "selfchecks.selfcheck", {scoping.VIEW, scoping.ADD})
        scoping.grant([*regulators, *BUSINESS_ROLES], "selfchecks.dailyitem", {scoping.VIEW})

        navigation.register(
            "selfchecks",
            _("Self-checks"),
            "selfchecks:overview",
            order=27,
            requires=(scoping.VIEW, "selfchecks.selfcheck"),
        )
        tabs.register(
            "registry.business",
            key="selfchecks",
            label=_("Self-checks"),
            render=views.render_business_tab,
            order=39,
            requires=(scoping.VIEW, "selfchecks.selfcheck"),
        )
        from shian.core import home

        from . import home as selfchecks_home

        home.register_card("selfchecks", selfchecks_home.todays_checks, order=10)
        kpis.register(
            "selfchecks", tiles=selfchecks_kpis.tiles, order=13, thresholds={"selfcheck_daily": kpis.Thresholds(90, 60)}
        )
        demo.register("selfchecks.sample", selfchecks_demo.generate, order=43)

        from shian.core import checklists

        from . import services

        # the daily-control items, for a module that answers them too (a 包保 visit) without importing this app
        checklists.register("selfchecks.daily", lambda *, business: services.daily_checklist(business))
