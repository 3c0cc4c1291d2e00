from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Account security: sign-in lockout and throttles, request-rate limits, password policy presets,
    forced password change, absolute session lifetime; and the 三员 administrators' pages (accounts,
    authorisation, security policy, audit log). Plugs into core through core.signin, settings
    (validators, middleware), the registries (navigation, home) and its own URLs; core never imports it."""

    name = "shian.accounts"
    label = "accounts"
    verbose_name = _("Account security")

    def ready(self) -> None:
        from shian.core import home, navigation, policy, scoping, signin
        from shian.core.choices import Role

        from . import admin_home
        from . import admin_services as a
        from .throttle import SignInGuard

        signin.register(SignInGuard())
        # every account changes its own password (the state is scoped to its owner)
        scoping.grant(list(Role.values), "accounts.passwordstate", {scoping.CHANGE})

        # 三员: three administrators whose grants do not overlap, and none on domain data
        scoping.grant(
            [Role.SYSTEM_ADMIN],
            a.ACCOUNT,
            {a.MANAGE, scoping.ADD, a.DEACTIVATE, a.REACTIVATE, a.RESET_PASSWORD, a.UNLOCK},
        )
        scoping.grant([Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN], "accounts.authorisation", {scoping.VIEW})
        scoping.grant([Role.SECURITY_ADMIN], a.ACCOUNT, {a.MANAGE, a.AUTHORISE, a.POLICY})
        scoping.grant([Role.AUDIT_ADMIN], a.AUDIT_RECORD, {a.BROWSE, a.EXPORT, a.VERIFY})
        for action in a.OWN_ACCOUNT_ACTIONS:
            policy.rule(a.ACCOUNT, action, _not_own, _("Nobody may do this to their own account."))
        # separation of duties: a password reset would let the system administrator sign in as another
        # administrator (or a superuser), and deactivating one would silence the oversight; both go through
        # break-glass with the two-person rule (docs/security/administrators.md)
        for action in a.NOT_ON_ADMINISTRATORS:
            policy.rule(
                a.ACCOUNT,
                action,
                _not_an_administrator,
                _("An administrator's or a superuser's account is not reset or deactivated here: see break-glass."),
            )

        navigation.register(
            "accounts.accounts", _("Accounts"), "accounts:admin_accounts", order=80, requires=(a.MANAGE, a.ACCOUNT)
        )
        navigation.register(
            "accounts.policy",
            _("Security policy"),
            "accounts:security_policy",
            order=82,
            requires=(a.POLICY, a.ACCOUNT),
        )
        navigation.register(
            "accounts.audit", _("Audit log"), "accounts:audit_log", order=84, requires=(a.BROWSE, a.AUDIT_RECORD)
        )
        home.register_need("accounts.pending", admin_home.pending_accounts, order=5)
        home.register_need("accounts.locked", admin_home.locked_accounts, order=6)
        home.register_card("accounts.admin", admin_home.administrator_card, order=5)


def _not_own(user, obj) -> bool:
    return user.pk != obj.pk


def _not_an_administrator(user, obj) -> bool:
    from shian.core.choices import ADMIN_ROLES

    return not obj.is_superuser and obj.role not in ADMIN_ROLES
