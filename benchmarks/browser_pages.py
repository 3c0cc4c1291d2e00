"""Page speed as a person sees it: DOMContentLoaded of every main page in headless chromium, against the
demo city served by the production server (`shian serve --production`: gunicorn + WhiteNoise) on loopback.

For each demo login (a city administrator, a district regulator, an inspector, a business) it opens every
page in that person's navigation, the first row's page of each list and every tab of a business page,
each --runs times (after one unrecorded load), and prints the median and worst DOMContentLoaded
(navigation start → DOMContentLoadedEventEnd, ms) per page. Goal (issue 8): every page < 1 s at the
small demo city (5,000 businesses).

    python benchmarks/browser_pages.py --size small      # generates the demo city in var/bench-browser/ if needed
    python benchmarks/browser_pages.py --size tiny --runs 1

Needs chromium (`make browser`) and the playwright package (dev extra). Writes benchmarks/results/browser-<size>.json.
This is a measurement, not a test: it fails only if something breaks."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from shian.cli import _die_with_parent  # noqa: E402

PASSWORD = "shian-demo-2026"
LOGINS = ["admin", "haishu", "inspector", "shop"]
GOAL_MS = 1000


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHIAN_DATABASE_URL"}
    return env | {"SHIAN_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def _ensure_demo(size: str, data_dir: Path) -> None:
    marker = data_dir / f".demo-{size}"
    if marker.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shian", "demo", "--size", size, "--no-serve", "--reset"],
        env=_env(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo city ({size}) generated in {time.perf_counter() - started:.0f} s", flush=True)
    marker.touch()


def _serve(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "shian", "serve", "--production", "--port", str(port), "--no-worker"],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # a killed benchmark leaves no server behind
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/login/", timeout=2)  # noqa: S310 - our own loopback server
            return process, url
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _dcl(page) -> float:
    return page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.domContentLoadedEventEnd - n.startTime; }"
    )


def _pages(page, url: str) -> list[str]:
    page.goto(url + "/")
    paths = ["/"] + page.eval_on_selector_all("nav.main-nav a", "els => els.map(e => e.getAttribute('href'))")
    details = []
    for path in list(paths):
        page.goto(url + path)
        first = page.locator("main table tbody tr td a[href^='/']").first
        if first.count():
            details.append(first.get_attribute("href"))
    business = next((d for d in details if d.startswith("/registry/businesses/")), None)
    if business:
        page.goto(url + business)
        tabs = page.eval_on_selector_all("nav.tabs a", "els => els.map(e => e.getAttribute('href'))")
        details += [business + t for t in tabs]
    return list(dict.fromkeys(paths + details))


def measure(url: str, runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("SHIAN_CHROMIUM") or shutil.which("chromium")
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        for login in LOGINS:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(url + "/login/")
            page.fill("input[name=username]", login)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form.form button.primary").click()
            page.wait_for_load_state()
            for path in _pages(page, url):
                page.goto(url + path)  # warm-up, unrecorded
                times = []
                for _ in range(runs):
                    page.goto(url + path)
                    times.append(_dcl(page))
                rows.append(
                    {
                        "login": login,
                        "path": path,
                        "median_ms": round(statistics.median(times)),
                        "max_ms": round(max(times)),
                    }
                )
                print(f"  {login:<10} {rows[-1]['median_ms']:>6} {rows[-1]['max_ms']:>6}  {path}", flush=True)
            context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["tiny", "small", "city"], default="small")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(os.environ.get("SHIAN_BENCH_BROWSER_DIR") or ROOT / "var" / "bench-browser" / args.size)
    _ensure_demo(args.size, data_dir)
    process, url = _serve(data_dir)
    try:
        print(f"DOMContentLoaded per page, ms ({args.runs} runs after a warm-up): login, median, worst, page")
        rows = measure(url, args.runs)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    worst = max(rows, key=lambda r: r["max_ms"])
    over = [r for r in rows if r["median_ms"] >= GOAL_MS]
    print(
        f"\n{len(rows)} pages; median of medians {statistics.median(r['median_ms'] for r in rows)} ms; "
        f"slowest {worst['path']} ({worst['login']}) {worst['max_ms']} ms worst run; "
        f"{len(over)} page(s) with a median at or over the {GOAL_MS} ms goal"
        + ("".join(f"\n  over: {r['login']} {r['path']} {r['median_ms']} ms" for r in over))
    )
    out = ROOT / "benchmarks/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"browser-{args.size}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
