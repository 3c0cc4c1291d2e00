from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shian.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from shian.core import demo, indicators, navigation, scoping, tabs
        from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES, Role

        from . import demo as inspections_demo
        from . import selectors, views

        regulators = REGULATOR_ROLES
        scoping.grant(regulators, "inspections.inspection", {scoping.VIEW, scoping.ADD, scoping.CHANGE})
        scoping.grant(BUSINESS_ROLES, "inspections.inspection", {scoping.VIEW})
        scoping.grant(regulators, "inspections.inspectionplan", {scoping.VIEW})
        scoping.grant([Role.CITY_ADMIN, Role.DISTRICT_REGULATOR], "inspections.inspectionplan", {scoping.ADD})
        scoping.grant(regulators, "inspections.plannedvisit", {scoping.VIEW})
        scoping.grant(regulators, "inspections.itemresult", {scoping.VIEW, scoping.CHANGE})
        scoping.grant(regulators, "inspections.itemphoto", {scoping.VIEW, scoping.ADD})
        scoping.grant(BUSINESS_ROLES, "inspections.itemresult", {scoping.VIEW})
        scoping.grant(BUSINESS_ROLES, "inspections.itemphoto", {scoping.VIEW})
        for label in ("checklisttemplate", "checklistitem", "resultrule", "ratingpolicy", "ratingband"):
            scoping.grant([*regulators, *BUSINESS_ROLES], f"inspections.{label}", {scoping.VIEW})

        from shian.core import home

        from . import home as inspections_home

        home.register_card("inspections.today", inspections_home.todays_visits, order=5)
        home.register_card("inspections.last", inspections_home.last_inspection, order=40)
        home.register_need("inspections.behind", inspections_home.visits_behind, order=20)

        from django.urls import reverse

        from shian.core import listing

        listing.register_action(
            "registry.business",
            key="inspect",
            label=_("Start an inspection"),
            url=lambda business: reverse("inspections:start", args=[business.pk]),
            method="post",
            order=10,
            primary=True,
            requires=(scoping.ADD, "inspections.inspection"),
        )

        navigation.register(
            "inspections",
            _("Inspections"),
            "inspections:list",
            order=23,
            requires=(scoping.VIEW, "inspections.inspection"),
            regional=True,
        )
        navigation.register(
            "plans",
            _("Inspection plans"),
            "inspections:plans",
            order=24,
            requires=(scoping.VIEW, "inspections.inspectionplan"),
        )
        navigation.register(
            "my_day",
            _("My day"),
            "inspections:my_day",
            order=5,
            requires=(scoping.VIEW, "inspections.plannedvisit"),
        )
        tabs.register(
            "registry.business",
            key="inspections",
            label=_("Inspections"),
            render=views.render_business_tab,
            order=37,
            requires=(scoping.VIEW, "inspections.inspection"),
        )
        from .rating import RATED_TYPES

        tabs.register(
            "registry.business",
            key="rating",
            label=_("Public rating"),
            render=views.render_rating_tab,
            order=15,
            visible=lambda u, obj: obj is not None and obj.type in RATED_TYPES,
        )
        indicators.register(
            "inspections_nonconform_12m",
            _("Non-conforming inspections in 12 months"),
            selectors.indicator_nonconform_12m,
        )
        indicators.register(
            "inspections_basically_12m",
            _("Basically conforming inspections in 12 months"),
            selectors.indicator_basically_12m,
        )
        demo.register("inspections.sample", inspections_demo.generate, order=45)
        demo.register("inspections.plans", inspections_demo.generate_plans, order=55)  # grade history + plans
