from django.urls import path

from . import views

app_name = "selfchecks"
urlpatterns = [path("", views.overview, name="overview")]
