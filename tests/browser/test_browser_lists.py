"""Lists a bureau trusts, as the browser shows them: paging keeps the search, page numbers and the
total, multi-word search, the export downloads a real workbook, the business page's tabs."""

import io
import re
from pathlib import Path

import openpyxl


def _total(v) -> int:
    text = v.page.locator("nav.pager .muted").last.inner_text()
    return int(re.search(r"\d+", text.replace(",", "")).group())


def test_paging_keeps_the_filter_and_shows_numbers_and_total(visit):
    v = visit("admin")
    v.go("/registry/businesses/")
    total = _total(v)
    assert total >= 250  # the tiny demo city
    first_page = v.page.locator("#businesses tbody tr td a").first.inner_text()
    v.page.locator("nav.pager a[rel=next]").click()
    v.page.wait_for_url(re.compile(r"page=2"))
    assert "??" not in v.page.url
    assert v.page.locator("nav.pager [aria-current=page]").inner_text() == "2"
    assert v.page.locator("#businesses tbody tr td a").first.inner_text() != first_page
    # a search, then page 2 of its results keeps the search
    v.page.fill("input[name=q]", "店")
    v.page.press("input[name=q]", "Enter")
    v.page.wait_for_url(re.compile(r"q=%E5%BA%97|q=店"))
    searched = _total(v)
    assert 0 < searched < total
    if v.page.locator("nav.pager a[rel=next]").count():
        v.page.locator("nav.pager a[rel=next]").click()
        v.page.wait_for_url(re.compile(r"page=2"))
        assert _total(v) == searched
        assert "q=" in v.page.url
    v.shot("business-list")


def test_two_words_must_both_match(visit):
    v = visit("admin")
    v.go("/registry/businesses/")
    name = v.page.locator("#businesses tbody tr td a").first.inner_text()
    address = v.page.locator("#businesses tbody tr td small").first.inner_text()
    words = f"{name[:2]} {address[:3]}"
    v.go(f"/registry/businesses/?q={words}")
    names = v.page.locator("#businesses tbody tr td a").all_inner_texts()
    assert name in names
    v.go(f"/registry/businesses/?q={name[:2]} 不存在的词")
    assert v.page.locator("#businesses tbody tr td a").count() == 0


def test_exports_download_real_workbooks(visit):
    v = visit("haishu")
    for path, link in (("/registry/businesses/", "Export"), ("/registry/licences/", "XLSX")):
        v.go(path)
        anchor = v.page.locator("a[href*='xlsx']").first
        href = anchor.get_attribute("href")
        assert "??" not in href, href
        with v.page.expect_download() as download:
            anchor.click()
        book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        assert len(rows) > 1, (path, link)
        for row in rows[1:]:
            for cell in row:
                assert not (isinstance(cell, str) and cell[:1] in "=+-@" and len(cell) > 1 and not cell[1:2].isdigit())


def test_business_tabs_highlight_what_is_shown(visit):
    v = visit("haishu")
    v.go("/registry/businesses/")
    v.page.locator("#businesses tbody tr td a").first.click()
    v.page.wait_for_load_state()
    tabs = v.page.locator("nav.tabs a")
    assert tabs.count() >= 4
    second = tabs.nth(2)
    label = second.inner_text()
    second.click()
    v.page.wait_for_function(
        "label => document.querySelector('nav.tabs a.active')?.innerText.trim() === label", arg=label.strip()
    )
    assert v.page.locator("nav.tabs a.active").count() == 1
    assert second.get_attribute("aria-selected") == "true"
    v.page.go_back()
    v.page.wait_for_function("() => document.querySelectorAll('nav.tabs a.active').length === 1")
