"""Manual browser check of the inspection form's offline behaviour (not part of `make test`: it needs
Chromium, chromedriver and selenium, which the project does not depend on).

    python3 -m venv /tmp/shot && /tmp/shot/bin/pip install selenium   # plus: apt install chromium chromium-driver
    export SHIAN_DATA_DIR=/tmp/check
    .venv/bin/shian migrate && .venv/bin/shian demo --size tiny --no-serve
    /tmp/shot/bin/python scripts/browser_check_offline.py

It starts the server, opens a new inspection as the demo inspector (the service worker takes the page),
marks an item failed with a note and a photo, stops the server (the connection drops), reopens the page
(served by the service worker, the entries and the photo restored from the device), presses "Save draft"
(kept, the offline message shows), starts the server again and waits for the automatic send; then it
reads the inspection back from the database. Every step prints what it saw; it exits 1 on a mismatch.
"""

import base64
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIAN = os.path.join(ROOT, ".venv", "bin", "shian")
PORT = os.environ.get("CHECK_PORT", "8077")
BASE = f"http://127.0.0.1:{PORT}"


def shell(code: str) -> str:
    return subprocess.run(  # noqa: S603 (our own command line)
        [SHIAN, "shell", "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def server() -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603 (our own command line)
        [SHIAN, "runserver", f"127.0.0.1:{PORT}", "--noreload"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(3)
    return proc


def main() -> int:
    pk, item = map(
        int,
        shell(
            "from shian.core.models import User\nfrom shian.registry.models import Business\n"
            "from shian.inspections import services\nu = User.objects.get(username='inspector')\n"
            "b = Business.objects.filter(region_path__startswith=u.region.path, status='operating').first()\n"
            "i = services.inspection_start(actor=u, business=b)\nprint(i.pk, i.results.first().item_id)"
        ).split()[-2:],
    )
    photo = tempfile.NamedTemporaryFile(suffix=".png", delete=False)  # noqa: SIM115 (kept for the browser)
    photo.write(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    )
    photo.close()
    opts = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=420,900"]:
        opts.add_argument(arg)
    proc = server()
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_script_timeout(20)
    seen = {}
    try:
        d.get(BASE + "/login/")
        d.find_element(By.NAME, "username").send_keys("inspector")
        d.find_element(By.NAME, "password").send_keys("shian-demo-2026")
        d.find_element(By.NAME, "password").submit()
        d.get(f"{BASE}/inspections/{pk}/")
        d.execute_async_script("navigator.serviceWorker.ready.then(() => arguments[0]())")
        d.get(f"{BASE}/inspections/{pk}/")
        seen["controlled by the service worker"] = d.execute_script("return !!navigator.serviceWorker.controller")
        d.find_element(By.NAME, f"photo_{item}").send_keys(photo.name)
        d.find_element(By.CSS_SELECTOR, f'input[name="outcome_{item}"][value="fail"]').click()
        d.find_element(By.NAME, f"note_{item}").send_keys("地面积水")
        d.find_element(By.TAG_NAME, "h1").click()
        time.sleep(1)
        proc.terminate()
        proc.wait()  # the connection drops
        d.get(f"{BASE}/inspections/{pk}/")
        time.sleep(1.5)
        seen["page reopened offline"] = str(pk) in d.current_url and "inspection-form" in d.page_source
        seen["outcome restored"] = d.find_element(
            By.CSS_SELECTOR, f'input[name="outcome_{item}"][value="fail"]'
        ).is_selected()
        seen["note restored"] = d.find_element(By.NAME, f"note_{item}").get_attribute("value") == "地面积水"
        seen["photo restored"] = (
            d.execute_script(f"return document.querySelector('[name=photo_{item}]').files.length") == 1
        )
        d.find_element(By.CSS_SELECTOR, "#inspection-form button.btn:not(.primary):not(.small)").click()
        time.sleep(1.5)
        seen["offline message shown"] = d.find_element(By.ID, "offline-status").is_displayed()
        proc = server()  # the connection is back; the form retries every 20 s
        time.sleep(25)
        seen["draft forgotten after the send"] = (
            d.execute_script(f"return localStorage.getItem('inspection-{pk}')") is None
        )
    finally:
        d.quit()
        proc.terminate()
    saved = shell(
        "from shian.inspections.models import Inspection\n"
        f"r = Inspection.objects.get(pk={pk}).results.get(item_id={item})\n"
        "print(r.outcome, r.note, r.photos.count())"
    ).splitlines()[-1]
    seen["saved on the server (fail, note, 1 photo)"] = saved == "fail 地面积水 1"
    for what, ok in seen.items():
        print(("ok  " if ok else "FAIL"), what)
    return 0 if all(seen.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
