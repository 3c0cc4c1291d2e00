from django.urls import include, path

from shian.api import api

urlpatterns = [
    path("", include("shian.core.urls")),
    path("", include("shian.accounts.urls")),
    path("registry/", include("shian.registry.urls")),
    path("hazards/", include("shian.hazards.urls")),
    path("supervision/", include("shian.supervision.urls")),
    path("inspections/", include("shian.inspections.urls")),
    path("oversight/", include("shian.oversight.urls")),
    path("selfchecks/", include("shian.selfchecks.urls")),
    path("twofactor/", include("shian.twofactor.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
