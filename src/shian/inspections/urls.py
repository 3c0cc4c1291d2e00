from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("start/<int:business_pk>/", views.inspection_start, name="start"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/record.pdf", views.inspection_pdf_view, name="pdf"),
    path("<int:pk>/files/<slug:kind>/", views.inspection_file, name="file"),
    path("<int:pk>/files/<slug:kind>/<int:file_pk>/", views.inspection_file, name="file"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/day/", views.my_day, name="my_day"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
]
