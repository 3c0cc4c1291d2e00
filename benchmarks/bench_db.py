"""One benchmark run against one database (SHIAN_DATABASE_URL decides which). Prints JSON.

Measures: demo generation time, the business list page with a filter and a search term (p50/p95),
the list page with a two-character search term, from the bigram index and by the old LIKE scan
(bench_search.py), and an XLSX import of new businesses (then the same file again, which must change
nothing).

With --existing it measures the database as it is (no reset, no generation), e.g. the city demo:
    SHIAN_DATA_DIR=/tmp/d python benchmarks/bench_db.py --existing --import-only --import-rows 50000"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_list(repeats: int) -> dict:
    from django.test import Client

    from shian.core.models import Region, User

    haishu = Region.objects.get(code="330203")
    street = Region.objects.filter(parent=haishu).order_by("code").first()
    queries = [
        ("admin", "?q=面馆&type=catering"),
        ("admin", "?q=海曙&status=operating"),
        ("admin", f"?q=超市&region={haishu.pk}&sort=-updated"),
        ("admin", "?q=9133&staffing=incomplete"),
        ("admin", "?q=中山&licence=expiring"),
        ("admin", "?q=外卖&type=takeout&page=2"),
        ("haishu", "?q=店&status=operating&sort=name"),
        ("haishu", f"?q=酒家&region={street.pk}"),
    ]
    clients = {}
    for username in {u for u, _q in queries}:
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    timings = []
    for username, q in queries:  # warm-up
        assert clients[username].get(f"/registry/businesses/{q}").status_code == 200
    for _ in range(repeats):
        for username, q in queries:
            started = time.perf_counter()
            response = clients[username].get(f"/registry/businesses/{q}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
    }


def bench_inspection_page(repeats: int) -> dict:
    """The inspection form with a 60-item checklist, as an inspector opens it on a phone."""
    from django.test import Client

    from shian.core.models import User
    from shian.inspections.models import ChecklistItem, ChecklistTemplate
    from shian.inspections.services import inspection_start
    from shian.registry.models import Business

    inspector = User.objects.get(username="inspector")
    business = Business.objects.filter(region_path__startswith=inspector.region.path, type="catering").first()
    template = ChecklistTemplate.objects.create(
        name="benchmark 60 items", business_type="catering", version="bench", source="benchmark", active=False
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                template=template,
                order=i,
                section=f"第{i // 10 + 1}部分",
                text=f"检查条目 {i}：设施、记录与操作符合要求",
                is_key=i % 5 == 0,
            )
            for i in range(1, 61)
        ]
    )
    inspection = inspection_start(actor=inspector, business=business, template=template)
    client = Client()
    client.force_login(inspector)
    url = f"/inspections/{inspection.pk}/"
    assert client.get(url).status_code == 200
    timings = []
    for _ in range(repeats * 5):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {"items": 60, "p50_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 0.95), 1)}


def make_import_file(rows: int, offset: int = 0) -> bytes:
    from openpyxl import Workbook

    from shian.core.models import Region
    from shian.registry.imports import COLUMNS
    from shian.registry.tests.factories import uscc_for

    grids = list(Region.objects.filter(level=4).values_list("code", flat=True))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("businesses")
    ws.append([c.label for c in COLUMNS])
    for i in range(offset, offset + rows):
        code = grids[i % len(grids)]
        values = {
            "uscc": uscc_for(10_000_000 + i, code[:6]),
            "name": f"导入测试餐馆{i}",
            "type": "餐饮服务",
            "scale": "小型",
            "diners_per_meal": "",
            "address": f"浙江省宁波市测试路{i}号",
            "region_code": code,
            "status": "在营",
            "latitude": "29.870000",
            "longitude": "121.540000",
            "legal_representative": "张三",
            "contact_phone": "13800000000",
            "licence_number": f"JY2{code[:6]}{900_000 + i:06d}1",
            "licence_issued_on": "2024-01-01",
            "licence_valid_until": "2029-01-01",
            "director_name": "",
            "director_phone": "",
            "director_trained_on": "",
            "officer_name": f"安全员{i}",
            "officer_phone": "13900000000",
            "officer_trained_on": "2025-06-01",
        }
        ws.append([values.get(c.key, "") for c in COLUMNS])  # the optional columns (attributes) left empty
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bench_import(rows: int) -> dict:
    from shian.registry.imports import import_businesses

    data = make_import_file(rows)
    started = time.perf_counter()
    first = import_businesses(data=data, filename="bench.xlsx", actor=None)
    first_s = time.perf_counter() - started
    assert first.ok, first.run.errors[:5]
    started = time.perf_counter()
    second = import_businesses(data=data, filename="bench.xlsx", actor=None)
    second_s = time.perf_counter() - started
    assert second.ok and second.run.unchanged == rows and second.run.created == 0
    return {
        "rows": rows,
        "file_mb": round(len(data) / 1e6, 1),
        "first_s": round(first_s, 1),
        "reimport_s": round(second_s, 1),
        "created": first.run.created,
        **bench_background_import(rows),
    }


def bench_background_import(rows: int) -> dict:
    """A file of new businesses uploaded on the import page: the request returns at once (the job is queued),
    then a database worker imports it. Time to return, and time until the job has succeeded."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from shian.core.models import Job, User

    data = make_import_file(rows, offset=rows)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    # a file this size goes to the background (the small CI size is under the default threshold)
    threshold = min(getattr(settings, "IMPORT_SYNC_MAX_ROWS", 2000), rows - 1)
    started = time.perf_counter()
    with override_settings(IMPORT_SYNC_MAX_ROWS=threshold):
        response = client.post("/registry/imports/", {"file": SimpleUploadedFile("bench-bg.xlsx", data)})
    returned_s = time.perf_counter() - started
    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), response
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    done_s = time.perf_counter() - started
    job = Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.state == "succeeded" and job.result["created"] == rows, (job.state, job.error, job.result)
    print(
        f"background import of {rows:,} rows ({settings.TASKS['default']['BACKEND']}): "
        f"returned in {returned_s:.2f} s, completed in {done_s:.1f} s",
        file=sys.stderr,
    )
    return {"background_return_s": round(returned_s, 2), "background_done_s": round(done_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, help="generate a city of this size (not with --existing)")
    parser.add_argument("--import-rows", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="use the database as it is (e.g. a `shian demo --size city`): no reset, no generation; "
        "SHIAN_DATA_DIR or SHIAN_DATABASE_URL say which",
    )
    parser.add_argument("--import-only", action="store_true", help="only the import (with --import-rows)")
    args = parser.parse_args()
    if not args.existing and not args.businesses:
        parser.error("--businesses is required unless --existing")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    if not args.existing:
        reset_database(os.environ["SHIAN_DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if args.existing:
        from shian.registry.models import Business

        result = {"database": connection.vendor, "businesses": Business.objects.count(), "demo_generation_s": None}
    else:
        started = time.perf_counter()
        call_command("demo", businesses=args.businesses, no_progress=True, stdout=io.StringIO())
        result = {
            "database": connection.vendor,
            "businesses": args.businesses,
            "demo_generation_s": round(time.perf_counter() - started, 1),
        }
    if args.import_only and args.import_rows:
        result["import"] = bench_import(args.import_rows)
    elif not args.generate_only:
        from shian.supervision.services import grades_recompute

        started = time.perf_counter()
        counts = grades_recompute(trigger="benchmark")
        result["grades"] = {
            "graded": counts["graded"],
            "changed": counts["changed"],
            "recompute_s": round(time.perf_counter() - started, 1),
        }
        from shian.core.models import Region
        from shian.inspections.planning import plan_generate

        started = time.perf_counter()
        plan = plan_generate(actor=None, region=Region.objects.get(parent__isnull=True), year=2027, seed=1)
        result["plan"] = {"visits": plan.visits.count(), "generate_s": round(time.perf_counter() - started, 1)}
        result["list"] = bench_list(args.repeats)
        from bench_search import bench_search

        result["search"] = bench_search(args.repeats * 2)
        result["inspection_page"] = bench_inspection_page(args.repeats)
        if args.import_rows:
            result["import"] = bench_import(args.import_rows)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
