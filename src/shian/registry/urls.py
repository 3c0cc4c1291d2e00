from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("businesses/", views.business_list, name="business_list"),
    path("businesses/export.xlsx", views.business_export, name="business_export"),
    path("businesses/new/", views.business_create, name="business_create"),
    path("businesses/<int:pk>/", views.business_detail, name="business_detail"),
    path("businesses/<int:pk>/tabs/<slug:key>/", views.business_tab, name="business_tab"),
    path("businesses/<int:pk>/edit/", views.business_edit, name="business_edit"),
    path("businesses/<int:pk>/delete/", views.business_delete, name="business_delete"),
    path("businesses/<int:pk>/licences/new/", views.licence_create, name="licence_create"),
    path("businesses/<int:pk>/staff/new/", views.staff_create, name="staff_create"),
    path("licences/", views.licence_list, name="licence_list"),
    path("licences/<int:pk>/edit/", views.licence_edit, name="licence_edit"),
    path("licences/<int:pk>/delete/", views.licence_delete, name="licence_delete"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/delete/", views.staff_delete, name="staff_delete"),
    path("staff/<int:pk>/reveal/", views.staff_reveal, name="staff_reveal"),
    path("businesses/<int:pk>/reveal/", views.business_reveal, name="business_reveal"),
    path("staffing/", views.staffing, name="staffing"),
    path("staffing/rules/new/", views.staffing_rule_edit, name="staffing_rule_create"),
    path("staffing/rules/<int:pk>/edit/", views.staffing_rule_edit, name="staffing_rule_edit"),
    path("imports/", views.import_page, name="import"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
