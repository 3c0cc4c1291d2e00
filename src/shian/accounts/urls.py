from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("account/password/", views.password_change, name="password_change"),
    # 三员 administration
    path("administration/accounts/", admin_views.accounts, name="admin_accounts"),
    path("administration/accounts/new/", admin_views.account_create, name="admin_account_create"),
    path("administration/accounts/<int:pk>/", admin_views.account_detail, name="admin_account"),
    path("administration/accounts/<int:pk>/deactivate/", admin_views.account_deactivate, name="admin_deactivate"),
    path("administration/accounts/<int:pk>/reactivate/", admin_views.account_reactivate, name="admin_reactivate"),
    path("administration/accounts/<int:pk>/unlock/", admin_views.account_unlock, name="admin_unlock"),
    path(
        "administration/accounts/<int:pk>/reset-password/",
        admin_views.account_reset_password,
        name="admin_reset_password",
    ),
    path("administration/accounts/<int:pk>/authorise/", admin_views.account_authorise, name="admin_authorise"),
    path("administration/security-policy/", admin_views.security_policy, name="security_policy"),
    path("administration/permissions/", admin_views.permission_matrix, name="permission_matrix"),
    path("administration/audit/", admin_views.audit_log, name="audit_log"),
    path("administration/audit/export/", admin_views.audit_export, name="audit_export"),
    path("administration/audit/chain/", admin_views.audit_chain, name="audit_chain"),
]
