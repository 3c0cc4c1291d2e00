from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shian.oversight"
    label = "oversight"
    verbose_name = _("Assigned supervision")

    def ready(self) -> None:
        from shian.core import demo, kpis, navigation, scoping, tabs
        from shian.core.choices import REGULATOR_ROLES, Role

        from . import demo as oversight_demo
        from . import kpis as oversight_kpis
        from . import views

        officials = REGULATOR_ROLES
        scoping.grant(officials, "oversight.assignment", {scoping.VIEW})
        scoping.grant([Role.CITY_ADMIN, Role.DISTRICT_REGULATOR], "oversight.assignment", {scoping.ADD})
        scoping.grant(officials, "oversight.visit", {scoping.VIEW, scoping.ADD})
        scoping.grant(officials, "oversight.frequencyrule", {scoping.VIEW})
        # an official records visits only on their own assignments
        scoping.grant(officials, "oversight.assignment", {"record_visit"})
        from shian.core import policy

        policy.rule(
            "oversight.assignment",
            "record_visit",
            lambda user, assignment: assignment.official_id == user.pk,
            _("Only the assigned official records their visits."),
        )

        navigation.register(
            "oversight",
            _("Assigned supervision"),
            "oversight:overview",
            order=26,
            requires=(scoping.VIEW, "oversight.assignment"),
        )
        tabs.register(
            "registry.business",
            key="oversight",
            label=_("Assigned supervision"),
            render=views.render_business_tab,
            order=38,
            requires=(scoping.VIEW, "oversight.assignment"),
        )
        kpis.register(
            "oversight", tiles=oversight_kpis.tiles, order=12, thresholds={"oversight_rate": kpis.Thresholds(95, 80)}
        )
        from shian.core import home

        from . import home as oversight_home

        home.register_need("oversight.due", oversight_home.my_visits_due, order=5)
        demo.register("oversight.sample", oversight_demo.generate, order=42)
