"""One language at a time: a page in Chinese shows no English words of the interface, and a page in
English shows no Chinese words of the interface. Data (business names, addresses, people's names) is
Chinese in both; it is told apart from interface text by rendering each page in both languages: a text
that reads the same in both is data, a text that changes is interface, and Chinese text found only in
the English page is interface left untranslated. Each main page is also timed (DOMContentLoaded) and
screenshotted."""

import re

import pytest

# words that are the same in both languages: the product's name, formats, codes and units
ALLOWED_LATIN = {
    "ShiAn", "API", "PDF", "XLSX", "CSV", "USCC", "HTTP", "ID", "GS1", "EPCIS", "AI", "km",
    "A", "B", "C", "D", "E", "ok", "OK", "KB", "MB", "UTF",
}  # fmt: skip
ALLOWED_CJK = {"中文", "食安"}  # the language switch and the brand
ALLOWED_EN = {"English"}  # the language switch on a Chinese page

TEXT_NODES = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'CODE', 'NOSCRIPT', 'TEXTAREA', 'OPTION']);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    let el = node.parentElement, hidden = false;
    while (el) {
      if (skip.has(el.tagName) || el.closest('[translate=no]')) { hidden = true; break; }
      el = el.parentElement;
    }
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (!hidden && text) out.push(text);
  }
  for (const el of document.querySelectorAll('[title],[placeholder],[aria-label],input[type=submit],button[value]')) {
    for (const a of ['title', 'placeholder', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
  }
  return out;
}"""


def _pages(v) -> list[str]:
    """Every page in the navigation, and the first row's page of each list, for this user."""
    v.go("/")
    paths = ["/"] + [
        a.replace(v.server.url, "")
        for a in v.page.eval_on_selector_all("nav.main-nav a", "els => els.map(e => e.getAttribute('href'))")
    ]
    details = []
    for path in paths:
        v.go(path)
        first = v.page.locator("main table tbody tr td a[href^='/']").first
        if first.count():
            details.append(first.get_attribute("href"))
    business = next((d for d in details if d.startswith("/registry/businesses/")), None)
    if business:
        v.go(business)
        details += [f"{business}?tab={t}" for t in v.page.eval_on_selector_all(
            "nav.tabs a", "els => els.map(e => new URL(e.href).searchParams.get('tab'))"
        )]  # fmt: skip
    return list(dict.fromkeys(paths + details))


def _english_texts(texts: list[str]) -> set[str]:
    """The texts holding an English word (not a code, unit or name on the allow-list)."""
    out = set()
    for text in texts:
        if text in ALLOWED_EN:
            continue
        words = re.findall(r"(?<![\w/.@-])[A-Za-z][A-Za-z'’-]+(?![\w/.@])", text)
        if any(w not in ALLOWED_LATIN for w in words):
            out.add(text[:100])
    return out


@pytest.mark.parametrize("login", ["admin", "inspector", "shop"])
def test_each_page_speaks_one_language(visit, login):
    zh = visit(login)
    en = visit(login, lang="en")
    problems = []
    for path in _pages(zh):
        zh.go(path)
        zh_texts = zh.page.evaluate(TEXT_NODES)
        en.go(path)
        en_texts = en.page.evaluate(TEXT_NODES)
        for text in sorted(_english_texts(zh_texts)):
            problems.append(f"{path} [zh] English: {text}")
        zh_all = "\n".join(zh_texts)
        for text in en_texts:
            if text in ALLOWED_CJK:
                continue
            runs = re.findall(r"[\u4e00-\u9fff]+", text)
            glossed = re.search(r"[A-Za-z][^()]*\([^)]*[\u4e00-\u9fff][^)]*\)", text)  # "Daily check (日管控)"
            if glossed or any(run not in zh_all for run in runs):
                problems.append(f"{path} [en] Chinese: {text[:80]}")
    assert not problems, "\n".join(problems)
