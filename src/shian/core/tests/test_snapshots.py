"""KPI snapshots (core.snapshots): the figures read from the snapshots agree with the live computation on
a demo city, for every provider and every level of scope; child regions sum to their parent; a local write
refreshes its leaf region only; a missing or stale snapshot says so; a refresh asked twice runs once; a
business's own figures stay live."""

import datetime as dt
import statistics

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from shian.core import jobs, kpis, snapshots
from shian.core.choices import Role
from shian.core.models import Job, KpiSnapshot, Region, User
from shian.core.tests.factories import UserFactory
from shian.hazards import kpis as hazard_kpis
from shian.hazards.models import Hazard
from shian.oversight import kpis as oversight_kpis
from shian.oversight import selectors as oversight_selectors
from shian.registry import kpis as registry_kpis
from shian.registry.models import Business
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import kpis as selfcheck_kpis
from shian.selfchecks import selectors as selfcheck_selectors
from shian.supervision import kpis as supervision_kpis
from shian.supervision import selectors as supervision_selectors


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English messages (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def fresh_user(user: User) -> User:
    """The same account without the per-request snapshot cache (a new request)."""
    snapshots.forget(user)
    return User.objects.select_related("region").get(pk=user.pk)


def from_snapshots(user: User) -> dict:
    """Every provider's figures from the snapshot rows of ``user``'s scope."""
    user = fresh_user(user)
    out = {}
    snap = snapshots.read(user, "registry")
    out["registry"] = registry_kpis.from_snapshot(user, snap)
    out["supervision"] = supervision_kpis.from_snapshot(user, snapshots.read(user, "supervision"))
    out["hazards"] = hazard_kpis.from_snapshot(user, snapshots.read(user, "hazards"))
    out["oversight"] = oversight_kpis.from_snapshot(user, snapshots.read(user, "oversight"))
    out["selfchecks"] = selfcheck_kpis.from_snapshot(user, snapshots.read(user, "selfchecks"))
    assert not snapshots.scope(user).live, "every provider was read from a snapshot"
    return out


def computed_live(user: User) -> dict:
    user = fresh_user(user)
    oversight = oversight_selectors.oversight_status(user)
    oversight.pop("behind")
    compliance = selfcheck_selectors.compliance(user)
    compliance.pop("missing")
    return {
        "registry": registry_kpis.live(user),
        "supervision": supervision_selectors.grade_distribution(user),
        "hazards": hazard_kpis.live(user),
        "oversight": oversight,
        "selfchecks": compliance,
    }


def tile_values(user: User) -> list[tuple]:
    user = fresh_user(user)
    tiles, charts = kpis.collect(user)
    return [(t.key, str(t.value), str(t.hint), t.tone) for t in tiles] + [
        (c.key, [(str(b.label), b.value) for b in c.bars]) for c in charts
    ]


@pytest.fixture
def demo_city(db):
    call_command("demo", businesses=300, no_progress=True)
    city = Region.objects.get(level=1)
    district = Region.objects.get(name="海曙区")
    street = Region.objects.filter(parent=district).order_by("code").first()
    return {
        "city": UserFactory(username="snap_city", role=Role.CITY_ADMIN, region=city),
        "district": UserFactory(username="snap_district", role=Role.DISTRICT_REGULATOR, region=district),
        "street": UserFactory(username="snap_street", role=Role.STREET_OFFICER, region=street),
        "superuser": UserFactory(username="snap_root", role=Role.CITY_ADMIN, region=None, is_superuser=True),
    }


def test_snapshot_and_live_agree_for_every_provider_at_every_level(demo_city):
    snapshots.recompute("")
    city = demo_city["city"]
    live = computed_live(city)
    # the fixture exercises every provider (so the comparison can fail)
    assert live["registry"]["staffing"]["total"] > 0 and live["registry"]["licences"]["expired_businesses"] > 0
    assert live["supervision"]["graded"] > 0
    assert live["hazards"]["open"] > 0 and live["hazards"]["closed"] > 0
    assert live["oversight"]["due"] > 0
    assert live["selfchecks"]["filed"] > 0 and live["selfchecks"]["missing_count"] > 0
    for who, user in demo_city.items():
        assert from_snapshots(user) == computed_live(user), who
    # and the dashboard shows the same tiles and charts either way
    for who, user in demo_city.items():
        with_snapshots = tile_values(user)
        KpiSnapshot.objects.all().delete()
        without = tile_values(user)
        snapshots.recompute("")
        assert with_snapshots == without, who


def test_child_regions_sum_to_their_parent(demo_city):
    snapshots.recompute("")
    city = from_snapshots(demo_city["city"])
    districts = Region.objects.filter(level=2)
    totals = {"operating": 0, "open": 0, "graded": 0, "due": 0, "filed": 0}
    for district in districts:
        user = UserFactory(role=Role.DISTRICT_REGULATOR, region=district)
        d = from_snapshots(user)
        totals["operating"] += d["registry"]["staffing"]["total"]
        totals["open"] += d["hazards"]["open"]
        totals["graded"] += d["supervision"]["graded"]
        totals["due"] += d["oversight"]["due"]
        totals["filed"] += d["selfchecks"]["filed"]
    assert totals == {
        "operating": city["registry"]["staffing"]["total"],
        "open": city["hazards"]["open"],
        "graded": city["supervision"]["graded"],
        "due": city["oversight"]["due"],
        "filed": city["selfchecks"]["filed"],
    }
    # the city's table by district is the districts' own totals
    by_region = {r["name"]: r["total"] for r in city["registry"]["staffing"]["by_region"]}
    for district in districts:
        n = Business.objects.filter(region_path__startswith=district.path, status="operating").count()
        assert by_region.get(district.name, 0) == n


def test_reading_a_scope_is_one_query_of_a_few_rows(demo_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    snapshots.recompute("")
    for who, user in demo_city.items():
        user = fresh_user(user)
        with CaptureQueriesContext(connection) as queries:
            for key in ("registry", "supervision", "hazards", "oversight", "selfchecks"):
                assert snapshots.read(user, key) is not None
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert len(selects) == 1, (who, selects)
        # the rows one level below the user's region: a handful, whatever the number of grids
        from shian.core.rollup import child_level

        under = user.region.path if user.region else ""
        children = Region.objects.filter(path__startswith=under, level=child_level(user)).count()
        for key, snap in snapshots.scope(user).snapshots.items():
            assert 0 < len(snap.rows) <= children + 1, (who, key)  # + the region's own businesses


def test_a_hazard_written_refreshes_its_leaf_region_only(users, city, django_capture_on_commit_callbacks):
    shop = BusinessFactory(region=city["haishu_grid"])
    other = BusinessFactory(region=city["jiangbei_grid"])
    snapshots.recompute("")
    past = timezone.now() - dt.timedelta(hours=2)
    KpiSnapshot.objects.update(computed_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        overdue = timezone.localdate() - dt.timedelta(days=3)
        Hazard.objects.create(business=shop, title="冷藏柜温度超标", deadline=overdue)
    haishu = KpiSnapshot.objects.get(provider="hazards", region_path=shop.region_path)
    assert haishu.computed_at > past and haishu.counts["open"] == 1 and haishu.counts["overdue"] == 1
    jiangbei = KpiSnapshot.objects.get(provider="hazards", region_path=other.region_path)
    assert jiangbei.computed_at == past  # untouched
    job = Job.objects.get(kind="core.kpi_snapshots")
    assert job.params == {"path": shop.region_path} and job.state == "succeeded"
    # the rows above the leaf (street, district, city) are summed again: every level reads the change
    for who in ("haishu", "street", "admin", "jiangbei"):
        d = from_snapshots(users[who])["hazards"]
        assert d == hazard_kpis.live(fresh_user(users[who])), who
        assert (d["open"], d["overdue"]) == ((0, 0) if who == "jiangbei" else (1, 1)), who
    city_row = KpiSnapshot.objects.get(provider="hazards", depth=1, region_path=city["city"].path)
    assert city_row.computed_at == past  # as old as its oldest part (江北 was not recomputed)


def test_writes_queue_nothing_before_snapshots_are_in_use(users, city, django_capture_on_commit_callbacks):
    shop = BusinessFactory(region=city["haishu_grid"])
    with django_capture_on_commit_callbacks(execute=True):
        Hazard.objects.create(business=shop, title="地面湿滑")
    assert not Job.objects.filter(kind="core.kpi_snapshots").exists()
    assert not KpiSnapshot.objects.exists()


def test_a_refresh_requested_twice_runs_once(users, city, settings):
    settings.TASKS = DUMMY  # queued, not run: the second request finds the first
    region = users["haishu"].region
    first, created = snapshots.request_refresh(region.path, user=users["haishu"], region=region)
    second, created_again = snapshots.request_refresh(region.path, user=users["street"], region=region)
    assert created and not created_again and first.pk == second.pk
    assert Job.objects.filter(kind="core.kpi_snapshots").count() == 1
    other, created_other = snapshots.request_refresh(users["jiangbei"].region.path, user=users["jiangbei"])
    assert created_other and other.pk != first.pk


def test_missing_snapshot_is_computed_live_and_says_so(users, city, web):
    BusinessFactory(region=city["haishu_grid"])
    user = fresh_user(users["haishu"])
    live_tiles = tile_values(user)
    fresh = snapshots.freshness(user)
    assert fresh.missing and "No snapshot" in fresh.message
    page = web(users["haishu"]).get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-freshness"' in body and 'data-missing="1"' in body and "No snapshot" in body
    snapshots.recompute("")
    assert tile_values(user) == live_tiles  # and the snapshot gives the same figures


def test_stale_snapshot_is_shown_with_its_age_and_a_warning(users, city, web, settings):
    BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    user = fresh_user(users["haishu"])
    now = timezone.now()
    fresh = snapshots.freshness(user, now=now + dt.timedelta(minutes=5))
    assert not fresh.stale and not fresh.missing and fresh.age_minutes == 5
    settings.KPI_SNAPSHOT_STALE_MINUTES = 60
    KpiSnapshot.objects.update(computed_at=now - dt.timedelta(hours=3))
    user = fresh_user(user)
    fresh = snapshots.freshness(user, now=now)
    assert fresh.stale and fresh.age_minutes == 180 and "3 hours" in fresh.message
    body = web(users["haishu"]).get("/").content.decode()
    assert 'data-stale="1"' in body and "3 hours" in body
    local = timezone.localtime(now - dt.timedelta(hours=3))
    assert f"{local:%H:%M}" in body  # "as of hh:mm", local time
    # counted from an earlier day (the worker missed midnight): stale however recent
    KpiSnapshot.objects.update(computed_at=now, as_of=timezone.localdate() - dt.timedelta(days=1))
    assert snapshots.freshness(fresh_user(user), now=now).stale


def test_a_business_users_figures_are_live(users, city, django_assert_num_queries):
    shop = BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    KpiSnapshot.objects.filter(provider="registry").update(counts={"types": {"restaurant": [999, 999]}})
    owner = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    owner = fresh_user(owner)
    assert snapshots.read(owner, "registry") is None and snapshots.freshness(owner) is None
    assert tile_values(owner) == tile_values(owner)  # no snapshot figure (999) anywhere
    assert "999" not in str(tile_values(owner))


def test_a_snapshot_of_another_rule_set_is_not_used(demo_city):
    from shian.supervision.models import RiskRuleSet

    snapshots.recompute("")
    KpiSnapshot.objects.filter(provider="supervision").update(counts={"rule_sets": {"-1": 1}, "grades": {"A": 10**6}})
    expected = supervision_selectors.grade_distribution(fresh_user(demo_city["district"]))
    user = fresh_user(demo_city["district"])
    assert supervision_kpis.grade_distribution(user) == expected
    assert "supervision" in snapshots.scope(user).live and snapshots.freshness(user).missing
    assert RiskRuleSet.objects.filter(active=True).exists()


def test_median_from_a_histogram_is_the_median():
    for values in ([3], [1, 2], [5, 1, 1, 9], [0, 0, 7, 7, 7, 30], list(range(11)), [2, 2, 3, 4]):
        hist: dict[str, int] = {}
        for v in values:
            hist[str(v)] = hist.get(str(v), 0) + 1
        assert snapshots.median_of(hist) == statistics.median(values), values
    assert snapshots.median_of({}) is None


def test_sums_add_numbers_lists_and_dicts():
    rows = [("a/", {"x": {"t": [1, 2]}, "n": 1}), ("b/", {"x": {"t": [3, 4], "u": [1, 0]}, "n": 2}), ("c/", {})]
    assert snapshots.summed(rows, "x") == {"t": [4, 6], "u": [1, 0]}
    assert snapshots.summed(rows, "n") == 3
    assert rows[0][1]["x"]["t"] == [1, 2]  # the rows are not changed


def test_recompute_of_a_region_replaces_only_its_rows(users, city):
    a = BusinessFactory(region=city["haishu_grid"])
    b = BusinessFactory(region=city["jiangbei_grid"])
    snapshots.recompute("")
    Business.objects.filter(pk=a.pk).update(status="deregistered")
    Business.objects.filter(pk=b.pk).update(status="deregistered")
    snapshots.recompute(city["haishu"].path)
    assert KpiSnapshot.objects.get(provider="registry", region_path=a.region_path).counts["types"] == {}
    assert KpiSnapshot.objects.get(provider="registry", region_path=b.region_path).counts["types"] != {}


def test_the_scheduler_recomputes_every_hour():
    names = {p.name: p for p in jobs.periodic_tasks() if p.name.startswith("core.kpi_snapshots.")}
    assert len(names) == 24
    assert names["core.kpi_snapshots.00"].at == dt.time(0, 3)  # re-bases "today" figures just after midnight


def test_the_scheduled_task_is_a_full_recompute_job(users, city):
    from shian.core.tasks import refresh_kpi_snapshots

    BusinessFactory(region=city["haishu_grid"])
    refresh_kpi_snapshots.call()
    job = Job.objects.get(kind="core.kpi_snapshots")
    assert job.params == {"path": ""} and job.state == "succeeded"
    assert KpiSnapshot.objects.filter(provider="_coverage", region_path="").exists()


# --- the refresh button (HTMX POST) ------------------------------------------------------------------
def test_refresh_button_enqueues_once_for_the_users_scope(users, city, web, settings):
    settings.TASKS = DUMMY
    BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    client = web(users["haishu"])
    assert 'hx-post="/kpis/refresh/"' in client.get("/").content.decode()
    first = client.post("/kpis/refresh/", HTTP_HX_REQUEST="true")
    second = client.post("/kpis/refresh/", HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert "Recompute requested." in first.content.decode()
    assert "already queued" in second.content.decode()
    job = Job.objects.get(kind="core.kpi_snapshots")
    assert job.params == {"path": users["haishu"].region.path} and job.region_id == users["haishu"].region_id
    assert client.post("/kpis/refresh/").status_code == 302  # without HTMX: back to the dashboard
    assert client.get("/kpis/refresh/").status_code == 302  # a GET queues nothing
    assert Job.objects.filter(kind="core.kpi_snapshots").count() == 1


def test_refresh_by_a_business_user_queues_nothing(users, city, web, settings):
    settings.TASKS = DUMMY
    shop = BusinessFactory(region=city["haishu_grid"])
    owner = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    response = web(owner).post("/kpis/refresh/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Job.objects.exists()


# --- the KPI-table pages read the snapshot too -----------------------------------------------------
def test_staffing_page_reads_the_snapshot_and_shows_its_age(users, city, web):
    BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    client = web(users["haishu"])
    live = registry_kpis.live(fresh_user(users["haishu"]))["staffing"]
    page = client.get("/registry/staffing/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-freshness"' in body and 'data-stale="0"' in body and 'data-missing="0"' in body
    assert f'<span class="tile-value">{live["rate"]}<small>' in body
    # a snapshot row tells a different story: the page shows the snapshot, not a recount
    KpiSnapshot.objects.filter(provider="registry", region_path__startswith=city["haishu"].path).update(
        counts={"types": {"restaurant": [7, 9]}, "expiring": 0, "expired": 0}
    )
    assert '<span class="tile-value">77.8<small>' in client.get("/registry/staffing/").content.decode()


def test_selfcheck_overview_reads_the_daily_snapshot(users, city, web):
    shop = BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    leaf = KpiSnapshot.objects.get(provider="selfchecks", region_path=shop.region_path)
    assert leaf.counts["types"] == {shop.type: [0, 1]} and leaf.counts["missing"] == 1
    client = web(users["haishu"])
    body = client.get("/selfchecks/").content.decode()
    assert 'id="kpi-freshness"' in body and shop.name in body  # the missing list is still listed
    weekly = client.get("/selfchecks/?kind=weekly").content.decode()
    assert 'id="kpi-freshness"' not in weekly  # weekly and monthly are live


def test_grade_page_function_reads_the_snapshot(demo_city):
    snapshots.recompute("")
    user = fresh_user(demo_city["district"])
    expected = supervision_selectors.grade_distribution(fresh_user(demo_city["district"]))
    assert supervision_kpis.grade_distribution(user) == expected
    assert "supervision" not in snapshots.scope(user).live


def test_a_provider_never_computed_is_live_not_zero(users, city):
    BusinessFactory(region=city["haishu_grid"])
    snapshots.recompute("")
    # as after a release that adds a provider: the coverage row does not name it, and it has no rows
    KpiSnapshot.objects.filter(provider="registry").delete()
    KpiSnapshot.objects.filter(provider="_coverage").update(counts={"providers": ["hazards"]})
    user = fresh_user(users["haishu"])
    assert snapshots.read(user, "registry") is None  # live, not a silent zero
    assert registry_kpis.data(user)["staffing"]["total"] == 1
    assert snapshots.freshness(user).missing
