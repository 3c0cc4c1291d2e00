from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "shian.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from shian.core import demo, kpis, navigation, scoping, tabs
        from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES

        from . import demo as hazards_demo
        from . import kpis as hazards_kpis
        from . import views

        regulators = REGULATOR_ROLES
        business = BUSINESS_ROLES
        editing = {scoping.VIEW, scoping.ADD, scoping.CHANGE}
        scoping.grant(regulators, "hazards.hazard", editing)
        scoping.grant(regulators, "hazards.evidence", editing)
        # businesses see their own hazards, report their own (self-checks), and move them through the steps
        # the transition table allows them (never verify, reject, close or escalate)
        scoping.grant(business, "hazards.hazard", {scoping.VIEW, scoping.ADD, scoping.CHANGE})
        scoping.grant(business, "hazards.evidence", {scoping.VIEW, scoping.ADD})
        from . import transitions

        transitions.grant_steps()  # each step of the closed loop, to the roles its table names
        # case leads (案件线索) are the bureau's own: officials see and refer them (移送); deciding one
        # (立案 / 不予立案) is granted from the lead table to the bureaus that hold the power to penalise
        scoping.grant(regulators, "hazards.caselead", {scoping.VIEW, scoping.ADD})
        scoping.grant(sorted(transitions.DECIDERS), "hazards.caselead", {scoping.CHANGE})
        transitions.grant_lead_steps()
        scoping.grant(regulators, "hazards.deadlinerule", {scoping.VIEW})
        # food-safety incidents (食品安全事故): recorded and read by officials; a business sees its own
        scoping.grant(regulators, "hazards.incident", {scoping.VIEW, scoping.ADD})
        scoping.grant(business, "hazards.incident", {scoping.VIEW})

        navigation.register(
            "hazards",
            _("Hazards"),
            "hazards:list",
            order=25,
            requires=(scoping.VIEW, "hazards.hazard"),
        )
        navigation.register(
            "hazard_leads",
            _("Case leads"),
            "hazards:leads",
            order=26,
            requires=(scoping.VIEW, "hazards.caselead"),
            regional=True,
        )
        navigation.register(
            "incidents",
            _("Food-safety incidents"),
            "hazards:incidents",
            order=27,
            requires=(scoping.VIEW, "hazards.incident"),
            regional=True,
        )
        tabs.register(
            "registry.business",
            key="hazards",
            label=_("Hazards"),
            render=views.render_business_tab,
            order=40,
            requires=(scoping.VIEW, "hazards.hazard"),
        )
        kpis.register("hazards", tiles=hazards_kpis.tiles, charts=hazards_kpis.charts, data=hazards_kpis.data, order=20)
        from shian.core import home

        from . import home as hazards_home

        home.register_need("hazards.verify", hazards_home.evidence_to_verify, order=10)
        home.register_need("hazards.overdue", hazards_home.overdue, order=11)
        home.register_need("hazards.order", hazards_home.to_order, order=12)
        home.register_need("hazards.leads", hazards_home.open_leads, order=9)
        home.register_need("hazards.cases", hazards_home.open_cases, order=13)
        home.register_card("hazards", hazards_home.business_hazards, order=30)

        from django.urls import reverse

        from shian.core import listing

        listing.register_action(
            "registry.business",
            key="hazard",
            label=_("Record a hazard"),
            url=lambda business: reverse("hazards:create", args=[business.pk]),
            order=20,
            requires=(scoping.ADD, "hazards.hazard"),
        )
        listing.register_action(
            "registry.business",
            key="incident",
            label=_("Record a food-safety incident"),
            url=lambda business: reverse("hazards:incident_create", args=[business.pk]),
            order=25,
            requires=(scoping.ADD, "hazards.incident"),
        )
        demo.register("hazards.sample", hazards_demo.generate, order=40)
        demo.register("hazards.history", hazards_demo.generate_history, order=47)  # after past inspections

        from shian.core import indicators

        from . import selectors

        indicators.register("hazards_open", _("Open hazards"), selectors.indicator_open)
        indicators.register("hazards_open_serious", _("Open serious hazards"), selectors.indicator_open_serious)
        indicators.register("hazards_overdue", _("Overdue hazards"), selectors.indicator_overdue)
        indicators.register(
            "hazards_escalated_12m", _("Cases opened (立案) on hazards in 12 months"), selectors.indicator_escalated_12m
        )
