from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shian.supervision"
    label = "supervision"
    verbose_name = _("Risk-graded supervision")

    def ready(self) -> None:
        from shian.core import demo, kpis, navigation, scoping, tabs
        from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES, Role

        from . import demo as supervision_demo
        from . import kpis as supervision_kpis
        from . import views

        regulators = REGULATOR_ROLES
        scoping.grant(regulators, "supervision.businessgrade", {scoping.VIEW})
        scoping.grant(regulators, "supervision.gradechange", {scoping.VIEW})
        scoping.grant(BUSINESS_ROLES, "supervision.businessgrade", {scoping.VIEW})
        scoping.grant(BUSINESS_ROLES, "supervision.gradechange", {scoping.VIEW})
        scoping.grant([Role.CITY_ADMIN], "supervision.riskruleset", {scoping.VIEW, scoping.CHANGE})
        # the rule tables are city-wide configuration: officials read them (the rules page), the city edits
        for label in ("riskruleset", "staticfactor", "dynamicfactor", "gradeband", "keysupervisionrule"):
            scoping.grant(regulators, f"supervision.{label}", {scoping.VIEW})
            scoping.grant([Role.CITY_ADMIN], f"supervision.{label}", {scoping.CHANGE})

        from shian.core import listing

        from . import listing as supervision_listing

        listing.register_column(
            "registry.business",
            key="grade",
            label=_("Risk grade"),
            values=supervision_listing.grade_cells,
            order=50,
            requires=(scoping.VIEW, "supervision.businessgrade"),
        )
        navigation.register(
            "grades",
            _("Risk grades"),
            "supervision:grades",
            order=22,
            requires=(scoping.VIEW, "supervision.businessgrade"),
            regional=True,
        )
        tabs.register(
            "registry.business",
            key="grade",
            label=_("Risk grade"),
            render=views.render_business_tab,
            order=35,
            requires=(scoping.VIEW, "supervision.businessgrade"),
        )
        kpis.register(
            "supervision",
            tiles=supervision_kpis.tiles,
            charts=supervision_kpis.charts,
            data=supervision_kpis.data,
            order=15,
        )
        demo.register("supervision.grades", supervision_demo.generate, order=60)  # after the grade history
