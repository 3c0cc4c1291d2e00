from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("assignments/<int:pk>/visits/", views.visit_create, name="visit_create"),
]
