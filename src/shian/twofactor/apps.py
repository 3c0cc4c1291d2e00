from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwofactorConfig(AppConfig):
    name = "shian.twofactor"
    label = "twofactor"
    verbose_name = _("Second factor")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from shian.core import scoping
        from shian.core.choices import Role

        from . import services
        from .services import RESET

        # the second step is decided at login: Django's own seam (as for last_login), since the login
        # view is core's and core calls no later app; it only marks the session, nothing else
        user_logged_in.connect(services.on_login, dispatch_uid="shian.twofactor.on_login")
        # the API token endpoint (core) asks for the code through the sign-in seam
        from shian.core import signin

        signin.register_second_factor(services)

        # every account keeps its own authenticator and recovery codes (owner scope); the pages that
        # do so are SIGNED_IN operations on one's own account
        everyone = list(Role.values)
        scoping.grant(everyone, "twofactor.totpdevice", {scoping.VIEW, scoping.ADD, scoping.DELETE})
        scoping.grant(everyone, "twofactor.recoverycode", {scoping.VIEW, scoping.ADD})
        # the security administrator (三员) sees who has enrolled and resets a lost authenticator: how an
        # account proves who it is is a security matter, and the system administrator, who resets
        # passwords, must not also reset second factors, or one person could take over an account alone
        scoping.grant([Role.SECURITY_ADMIN], "twofactor.totpdevice", {RESET})
        from shian.core import navigation

        navigation.register(
            "twofactor.accounts",
            _("Two-step login of accounts"),
            "twofactor:accounts",
            order=83,
            requires=(RESET, "twofactor.totpdevice"),
        )
