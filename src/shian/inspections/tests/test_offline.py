"""The offline pieces the server provides: the service worker at the site root, and the inspection page's
hooks for the draft (fields, photos) that inspection.js keeps on the device."""

from shian.inspections import services
from shian.registry.tests.factories import BusinessFactory


def test_service_worker_is_served_from_the_root_and_keeps_only_inspections(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"  # a new version reaches phones at the next load
    body = response.content.decode()
    assert '"/inspections/"' in body and '"/static/"' in body
    assert 'request.method !== "GET"' in body  # submissions are never cached or replayed by the worker
    assert "caches.delete(CACHE)" in body  # forgotten at log-out


def test_inspection_page_has_the_offline_draft_hooks(users, web, city):
    shop = BusinessFactory(region=city["haishu_grid"])
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    html = web(users["inspector"]).get(f"/inspections/{inspection.pk}/").content.decode()
    assert f'data-draft-key="inspection-{inspection.pk}"' in html
    assert "data-photos-kept=" in html and "shian/inspection.js" in html
    item = inspection.results.first().item_id
    assert f'type="file" name="photo_{item}"' in html and 'capture="environment"' in html
    assert "data-logout" in html  # log-out clears the kept pages
