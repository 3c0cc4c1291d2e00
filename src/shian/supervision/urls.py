from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("grades/", views.grades, name="grades"),
    path("grades/recompute/", views.recompute, name="recompute"),
    path("grades/years/", views.grade_years, name="grade_years"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/activate/", views.rule_set_activate, name="activate"),
    path("rules/<slug:table>/<int:pk>/edit/", views.rule_row_edit, name="rule_row_edit"),
]
