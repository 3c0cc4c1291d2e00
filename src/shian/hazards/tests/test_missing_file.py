"""An evidence file the database names but storage no longer holds (lost in a move, a restore without the
uploaded files) is not found (404), never a 500: found by the page-speed crawl of a city whose uploads
were not copied with its database."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards import services
from shian.hazards.choices import Severity
from shian.hazards.tests.test_views_api import PNG
from shian.registry.tests.factories import BusinessFactory


def test_a_lost_evidence_file_is_not_found(users, city, web):
    shop = BusinessFactory(region=city["haishu_grid"])
    owner = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.GENERAL)
    hazard = services.hazard_transition(
        actor=users["inspector"],
        hazard=hazard,
        action="order",
        deadline=timezone.localdate() + timezone.timedelta(days=7),
        order_text="限期整改",
    )
    services.hazard_transition(
        actor=owner, hazard=hazard, action="submit", uploads=[SimpleUploadedFile("a.png", PNG, "image/png")]
    )
    evidence = hazard.evidence.get()
    url = f"/hazards/{hazard.pk}/evidence/{evidence.pk}/"
    client = web(users["inspector"])
    assert client.get(url).status_code == 200
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(url).status_code == 404
