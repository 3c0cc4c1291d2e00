from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shian.registry"
    label = "registry"
    verbose_name = _("Business register")

    def ready(self) -> None:
        from shian.core import demo, kpis, navigation, scoping, tabs
        from shian.core.choices import BUSINESS_ROLES, Role
        from shian.core.views import render_audit_tab

        from . import demo as registry_demo
        from . import kpis as registry_kpis
        from . import views

        every = scoping.ALL_ACTIONS
        read = {scoping.VIEW}
        edit = {scoping.VIEW, scoping.ADD, scoping.CHANGE}
        for label in ("registry.business", "registry.licence", "registry.staff"):
            scoping.grant([Role.CITY_ADMIN, Role.DISTRICT_REGULATOR], label, every)
            scoping.grant([Role.STREET_OFFICER], label, edit)
            scoping.grant([Role.INSPECTOR], label, read)
        # a business's own staff see their business and licences, and keep their staff list current
        scoping.grant(BUSINESS_ROLES, "registry.business", read)
        scoping.grant(BUSINESS_ROLES, "registry.licence", read)
        scoping.grant(BUSINESS_ROLES, "registry.staff", every)
        scoping.grant([Role.CITY_ADMIN], "registry.staffingrule", every)
        # personal data shows masked; showing one value in full is its own, audited action (core/reveal.py).
        # Staff phones and identity numbers: the officials who keep the register and the business's own
        # staff (read-only inspectors reach a business through its contact phone); contact phones: they
        # and the inspectors, who call ahead of a visit.
        from shian.core.reveal import REVEAL

        keepers = [Role.CITY_ADMIN, Role.DISTRICT_REGULATOR, Role.STREET_OFFICER, *BUSINESS_ROLES]
        scoping.grant(keepers, "registry.staff", {REVEAL})
        scoping.grant([*keepers, Role.INSPECTOR], "registry.business", {REVEAL})
        scoping.grant([Role.CITY_ADMIN, Role.DISTRICT_REGULATOR], "registry.importrun", {scoping.VIEW, scoping.ADD})
        from . import selectors as registry_selectors
        from . import services as registry_services

        scoping.register_business_link(
            get=registry_selectors.business_of_account,
            get_many=registry_selectors.businesses_of_accounts,
            set_=lambda user, business: registry_services.account_link(user=user, business=business),
        )

        from shian.core import home

        from . import home as registry_home

        home.register_card("registry.business", registry_home.own_business, order=20)
        home.register_need("registry.licences", registry_home.licences_expiring, order=40)

        navigation.register(
            "businesses",
            _("Businesses"),
            "registry:business_list",
            order=10,
            requires=(scoping.VIEW, "registry.business"),
        )
        navigation.register(
            "licences",
            _("Licences"),
            "registry:licence_list",
            order=20,
            requires=(scoping.VIEW, "registry.licence"),
        )
        navigation.register(
            "staffing",
            _("Two staff"),
            "registry:staffing",
            order=30,
            requires=(scoping.VIEW, "registry.business"),
            regional=True,
        )
        navigation.register(
            "import",
            _("Import"),
            "registry:import",
            order=40,
            requires=(scoping.ADD, "registry.importrun"),
        )

        tabs.register("registry.business", key="profile", label=_("Profile"), render=views.render_profile_tab, order=10)
        tabs.register(
            "registry.business", key="licences", label=_("Licences"), render=views.render_licences_tab, order=20
        )
        tabs.register(
            "registry.business", key="staff", label=_("Food-safety staff"), render=views.render_staff_tab, order=30
        )
        tabs.register("registry.business", key="audit", label=_("Audit log"), render=render_audit_tab, order=1000)

        kpis.register(
            "registry",
            tiles=registry_kpis.tiles,
            charts=registry_kpis.charts,
            data=registry_kpis.data,
            order=10,
            thresholds={"staffing_rate": kpis.Thresholds(good=95, warn=80)},
        )

        from shian.core import indicators

        from . import selectors

        indicators.register("licence_expired", _("Licence expired"), selectors.indicator_licence_expired)
        indicators.register("licence_missing", _("No licence on record"), selectors.indicator_licence_missing)
        indicators.register("staffing_incomplete", _("Two staff incomplete"), selectors.indicator_staffing_incomplete)
        demo.register("registry.businesses", registry_demo.generate_businesses, order=20)
        demo.register("registry.accounts", registry_demo.generate_accounts, order=30)
