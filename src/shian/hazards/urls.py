from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/<int:business_pk>/", views.hazard_create, name="create"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/transition/", views.hazard_transition, name="transition"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence_file"),
    path("leads/", views.lead_list, name="leads"),
    path("<int:pk>/lead/", views.lead_detail, name="lead"),
    path("<int:pk>/lead/decide/", views.lead_decide, name="lead_decide"),
    path("<int:pk>/lead/refer/", views.lead_refer, name="lead_refer"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/new/<int:business_pk>/", views.incident_create, name="incident_create"),
]
