"""Field work end to end in the browser: a phone inspection of the shop's business with one failure, a
photo, two signatures and the PDF record (taps counted); the hazard it raises run through its whole loop
across two logins (regulator orders, business submits evidence, regulator verifies and closes); the
business's daily self-check on a phone."""

import re
from pathlib import Path

PHOTO = Path(__file__).parent / "photo.png"


class Taps:
    """Counts what a person does with a thumb: taps, a photo taken (2: open camera, shutter), a signature."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def tap(self, locator):
        locator.scroll_into_view_if_needed()
        locator.tap()
        self.n += 1

    def type(self, locator, text: str):
        self.tap(locator)
        locator.fill(text)  # typing is not counted as taps

    def photo(self, locator, path: Path):
        locator.set_input_files(str(path))
        self.n += 2

    def sign(self, canvas):
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        m = self.page.mouse
        m.move(box["x"] + 20, box["y"] + 60)
        m.down()
        for i in range(1, 8):
            m.move(box["x"] + 20 + i * 30, box["y"] + 60 + (-1) ** i * 25)
        m.up()
        self.n += 1


def _shop_business(visit) -> str:
    shop = visit("shop")
    shop.go("/")
    href = shop.page.locator("#home-business a").first.get_attribute("href")
    shop.close()
    return href


def test_phone_inspection_then_the_hazard_loop_across_two_logins(visit, server):
    business = _shop_business(visit)
    v = visit("inspector", phone=True)
    v.page.on("dialog", lambda d: d.accept())
    v.go(business)
    taps = Taps(v.page)
    taps.tap(v.page.locator("[data-action=inspect]"))
    v.page.wait_for_url(re.compile(r"/inspections/\d+/"))
    inspection_url = v.page.url
    cards = v.page.locator("[data-item]")
    n_items = cards.count()
    assert n_items >= 10
    taps.tap(v.page.locator("[data-all-ok]"))
    failing = cards.filter(has_text="冷藏、冷冻设备温度").first  # the item the note is about
    taps.tap(failing.locator("[data-answer=no]"))
    taps.type(failing.locator("input[name^=note_], textarea[name^=note_]").first, "冷藏柜温度 9℃，无记录")
    taps.photo(failing.locator("input[type=file]").first, PHOTO)
    counter = v.page.locator("[data-counter]").first.inner_text()
    assert re.search(rf"{n_items}\s*/\s*{n_items}", counter), counter
    taps.sign(v.page.locator("canvas.signature").nth(0))
    taps.type(v.page.locator("input[name=representative]"), "王店长")
    taps.sign(v.page.locator("canvas.signature").nth(1))
    v.shot("inspection-form")
    taps.tap(v.page.locator("button[name=close]"))  # the confirm dialog is accepted: one more tap
    taps.n += 1
    v.page.wait_for_selector("#raised-hazards")
    assert taps.n <= 25, f"{taps.n} taps for a {n_items}-item checklist with one failure"
    print(f"phone inspection: {taps.n} taps for {n_items} items, one failure")
    assert v.page.locator("img.signature-img").count() == 2
    v.shot("inspection-closed")
    # the PDF record
    pdf_href = v.page.locator("a[href$='/pdf/'], a[href*='pdf']").first.get_attribute("href")
    pdf = v.page.request.get(v.server.url + pdf_href)
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    hazard_href = v.page.locator("#raised-hazards a").first.get_attribute("href")
    assert "冷藏柜温度" in v.page.locator("#raised-hazards").inner_text() or v.page.locator("#raised-hazards a").count()
    assert inspection_url

    # regulator orders rectification
    reg = visit("haishu")
    reg.page.on("dialog", lambda d: d.accept())
    reg.go(hazard_href)
    panel = reg.page.locator("#action-panel")
    assert panel.locator("[data-step=submit]").count() == 0  # the business's step is not offered to a regulator
    panel.locator("textarea[name=order_text], input[name=order_text]").first.fill("立即维修冷藏柜并建立温度记录")
    panel.locator("[data-step=order]").click()
    reg.page.wait_for_load_state()
    assert reg.page.locator("[data-state]").first.get_attribute("data-state") == "ordered"
    assert reg.page.locator("#action-panel [data-step=submit]").count() == 0
    reg.shot("hazard-ordered")

    # the business submits evidence, on a phone
    shop = visit("shop", phone=True)
    shop.go(hazard_href)
    panel = shop.page.locator("#action-panel")
    assert panel.locator("[data-step=verify]").count() == 0 and panel.locator("[data-step=order]").count() == 0
    panel.locator("input[type=file]").first.set_input_files(str(PHOTO))
    panel.locator("textarea[name=note]").first.fill("已维修，附温度记录照片")
    panel.locator("[data-step=submit]").click()
    shop.page.wait_for_load_state()
    assert shop.page.locator("[data-state]").first.get_attribute("data-state") == "evidence_submitted"
    assert shop.page.locator("#evidence img.thumb").count() >= 1
    shop.shot("hazard-evidence")

    # the regulator verifies and closes
    reg.go(hazard_href)
    reg.page.locator("#action-panel [data-step=verify]").click()
    reg.page.wait_for_load_state()
    reg.page.locator("#action-panel [data-step=close]").click()
    reg.page.wait_for_load_state()
    assert reg.page.locator("[data-state]").first.get_attribute("data-state") == "closed"
    timeline = reg.page.locator("#timeline").inner_text()
    assert "haishu" not in timeline and "shop" not in timeline  # people's names, not logins
    reg.shot("hazard-closed")


def test_daily_self_check_on_a_phone(visit, server):
    server.shian(
        "shell",
        "-c",
        "from django.utils import timezone; from shian.selfchecks.models import SelfCheck; "
        "from shian.core.models import User; from shian.core import scoping; "
        "b = scoping.business_of(User.objects.get(username='shop')); "
        "SelfCheck.objects.filter(business=b, kind='daily', period_start=timezone.localdate()).delete()",
    )
    v = visit("shop", phone=True)
    v.go("/")
    taps = Taps(v.page)
    taps.tap(v.page.locator("[data-start-selfcheck]"))
    v.page.wait_for_url(re.compile(r"/selfchecks/"))
    form = v.page.locator("form:has([data-item])").first
    taps.tap(form.locator("[data-all-ok]"))
    card = form.locator("[data-item]").nth(1)
    taps.tap(card.locator("[data-answer=no]"))
    note = card.locator("input[name^=note], textarea[name^=note]")
    if note.count():
        taps.type(note.first, "洗手池缺少洗手液")
    v.shot("selfcheck-form")
    with v.page.expect_navigation():  # wait for the filed page itself (load state alone may be the form's)
        taps.tap(form.locator("button.primary, button[type=submit]").last)
    v.page.wait_for_load_state()
    body = v.text()
    assert "洗手池缺少洗手液" in body or "1" in body
    assert v.page.locator("form:has([data-item]) button.primary").count() == 0  # filed: no live form for today
    v.shot("selfcheck-filed")
    assert taps.n <= 8
