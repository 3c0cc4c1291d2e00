"""Fill the zh_Hans catalogue from scripts/zh_hans.py and compile it to .mo with polib; then write the
English catalogue (locale/en) for the msgids that carry Chinese.

Fails (exit 1) when a msgid has no translation, so the Chinese UI never silently shows English.

English msgids may name the Chinese term they stand for, for the developers who read them: "Case opened
(立案)", "包保督导率 = …". The English UI must not show it (a reader of English does not read 立案), so the
English catalogue gives each such msgid its English text: the Chinese glosses in brackets dropped, or, where
Chinese is more than a gloss, the text in scripts/en.py. A msgid whose English still holds Chinese is an
error, like an untranslated one."""

import re
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from en import EN  # noqa: E402
from zh_hans import PLURALS, ZH, ZH_CONTEXT  # noqa: E402

LOCALE = Path(__file__).resolve().parents[1] / "src/shian/locale"
PO = LOCALE / "zh_Hans/LC_MESSAGES/django.po"
EN_PO = LOCALE / "en/LC_MESSAGES/django.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
GLOSS = re.compile(r"\s*[(（][^()（）]*[\u4e00-\u9fff][^()（）]*[)）]")  # " (立案)", " (包保督导率)"


def english(msgid: str, context: str = "") -> str | None:
    """The English UI's text for a msgid holding Chinese: scripts/en.py's, else the glosses dropped; None
    when Chinese would remain."""
    text = EN.get((context, msgid)) or EN.get(msgid) or GLOSS.sub("", msgid)
    return None if CJK.search(text) else text


def write_english(po: polib.POFile) -> list[str]:
    out = polib.POFile()
    out.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "en",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    missing = []
    for entry in po:
        if not (CJK.search(entry.msgid) or CJK.search(entry.msgid_plural or "")):
            continue
        one = english(entry.msgid, entry.msgctxt or "")
        many = english(entry.msgid_plural, entry.msgctxt or "") if entry.msgid_plural else None
        if one is None or (entry.msgid_plural and many is None):
            missing.append(f"[en] {entry.msgid[:100]}")
            continue
        kwargs = {"msgid": entry.msgid, "msgctxt": entry.msgctxt}
        if entry.msgid_plural:
            kwargs |= {"msgid_plural": entry.msgid_plural, "msgstr_plural": {0: one, 1: many}}
        else:
            kwargs["msgstr"] = one
        out.append(polib.POEntry(**kwargs))
    EN_PO.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(EN_PO))
    out.save_as_mofile(str(EN_PO.with_suffix(".mo")))
    return missing


def main() -> int:
    po = polib.pofile(str(PO))
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po.obsolete_entries():  # msgids no longer in the code: dropped, not translated
        po.remove(entry)
    for entry in po:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if entry.msgid_plural:
            text = PLURALS.get(entry.msgid)
            if text:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr_plural = {0: ""}
                missing.append(entry.msgid)
        elif entry.msgctxt:  # pgettext: the same English word, meaning different things
            text = ZH_CONTEXT.get((entry.msgctxt, entry.msgid))
            if text:
                entry.msgstr = text
            else:
                entry.msgstr = ""  # never keep makemessages' fuzzy guess: English is better than a wrong word
                missing.append(f"{entry.msgctxt} | {entry.msgid}")
        elif entry.msgid in ZH:
            entry.msgstr = ZH[entry.msgid]
        else:
            entry.msgstr = ""
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    missing += write_english(po)
    if missing:
        print("untranslated:", *missing, sep="\n  ")
        return 1
    print(f"compiled {len(po)} messages to {PO.with_suffix('.mo')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
