from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Account security: sign-in lockout and throttles, request-rate limits, password policy presets,
    forced password change, absolute session lifetime. Plugs into core through core.signin, settings
    (validators, middleware) and its own URLs; core never imports it."""

    name = "shian.accounts"
    label = "accounts"
    verbose_name = _("Account security")

    def ready(self) -> None:
        from shian.core import scoping, signin
        from shian.core.choices import Role

        from .throttle import SignInGuard

        signin.register(SignInGuard())
        # every account changes its own password (the state is scoped to its owner)
        scoping.grant(list(Role.values), "accounts.passwordstate", {scoping.CHANGE})
