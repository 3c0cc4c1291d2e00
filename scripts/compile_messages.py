"""Fill the zh_Hans catalogue from scripts/zh_hans.py and compile it to .mo with polib.

Fails (exit 1) when a msgid has no translation, so the Chinese UI never silently shows English."""

import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from zh_hans import PLURALS, ZH, ZH_CONTEXT  # noqa: E402

PO = Path(__file__).resolve().parents[1] / "src/shian/locale/zh_Hans/LC_MESSAGES/django.po"


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
    if missing:
        print("untranslated:", *missing, sep="\n  ")
        return 1
    print(f"compiled {len(po)} messages to {PO.with_suffix('.mo')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
