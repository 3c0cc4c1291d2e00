from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("account/password/", views.password_change, name="password_change"),
]
