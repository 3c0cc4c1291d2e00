from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("", views.index, name="index"),
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("reauth/", views.reauth, name="reauth"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("disable/", views.disable, name="disable"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/reset/", views.reset, name="reset"),
]
