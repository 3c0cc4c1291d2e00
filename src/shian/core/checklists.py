"""Checklists answered 是 / 否 / 合理缺项 on the shared phone checklist (``core/_checklist.html``).

Two things live here, because more than one module needs them and core imports none of them:

- **A registry of item lists.** The module that keeps a checklist registers a provider by name from its
  ``AppConfig.ready`` (the self-checks app: ``"selfchecks.daily"``, a business's daily-control items);
  another module asks for the list by name (a 包保 visit answers the same items) without importing the
  first — apps depend inward (docs/architecture.md).
- **The answers.** The row the template renders (:class:`Row`), reading the answers from a POST
  (:func:`answers_from_post`) and the rule "every item answered, unless the user pressed 全部符合"
  (:func:`complete`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

YES, NO, NA = "yes", "no", "na"
ANSWERS = (YES, NO, NA)
NOTE_MAX = 255


@dataclass(frozen=True)
class Item:
    """An item of a checklist as its keeper publishes it."""

    id: int
    order: int
    text: str
    section: str = ""
    is_key: bool = False


@dataclass
class Photo:
    url: str


@dataclass
class Row:
    """One card of the phone checklist: the item, its answer (``yes``/``no``/``na`` or ``""`` for not
    answered yet), the note and the photos taken for it."""

    id: int
    order: int
    text: str
    section: str = ""
    is_key: bool = False
    answer: str = ""
    note: str = ""
    photos: list[Photo] = field(default_factory=list)

    @classmethod
    def of(cls, item: Item, answer: str = "", note: str = "") -> Row:
        return cls(item.id, item.order, item.text, item.section, item.is_key, answer, note)


Provider = Callable[..., Iterable[Item]]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """``register("selfchecks.daily", provider)``; ``provider(**kwargs)`` returns the items in order."""
    _PROVIDERS[name] = provider


def items(name: str, **kwargs) -> list[Item]:
    """The items of a registered checklist (an empty list when no module provides it)."""
    provider = _PROVIDERS.get(name)
    return list(provider(**kwargs)) if provider else []


def answers_from_post(
    data: Mapping, ids: Iterable[int], *, prefix: str = "answer_", note_prefix: str = "note_"
) -> tuple[dict[int, str], dict[int, str]]:
    """Read ``<prefix><id>`` (yes/no/na) and ``<note_prefix><id>`` for the given items from a POST.
    Items not sent are left out (not answered); an unknown value or a note over ``NOTE_MAX`` is a field error."""
    answers, notes = {}, {}
    for item_id in ids:
        value = (data.get(f"{prefix}{item_id}") or "").strip()
        if value:
            if value not in ANSWERS:
                raise ValidationError({f"{prefix}{item_id}": _("Unknown answer %(a)s.") % {"a": value[:20]}})
            answers[item_id] = value
        note = (data.get(f"{note_prefix}{item_id}") or "").strip()
        if len(note) > NOTE_MAX:
            raise ValidationError(
                {
                    f"{note_prefix}{item_id}": _("A note may be at most %(n)d characters (this one has %(m)d).")
                    % {"n": NOTE_MAX, "m": len(note)}
                }
            )
        if note:
            notes[item_id] = note
    return answers, notes


def complete(items: list[Item], answers: Mapping[int, str], *, all_ok: bool = False) -> dict[int, str]:
    """Every item's answer. Unanswered items are 是 when the user pressed 全部符合 (``all_ok``), otherwise
    a clear error naming how many and the first; answers for items not on the list are an error."""
    known = {i.id for i in items}
    unknown = set(answers) - known
    if unknown:
        raise ValidationError({"items": _("Items %(ids)s are not on this checklist.") % {"ids": sorted(unknown)}})
    bad = {v for v in answers.values() if v not in ANSWERS}
    if bad:
        raise ValidationError({"items": _("Unknown answer %(a)s.") % {"a": sorted(bad)[0][:20]}})
    missing = [i for i in items if i.id not in answers]
    if missing and not all_ok:
        raise ValidationError(
            {
                "items": _(
                    "%(n)d of %(t)d items are not answered yet (first: %(item)s). Answer each item, or press "
                    "“All fine” and then mark the exceptions."
                )
                % {"n": len(missing), "t": len(items), "item": missing[0].text}
            }
        )
    return {i.id: answers.get(i.id, YES) for i in items}


@dataclass
class Checklist:
    """What the template takes: the rows in the order shown, and their counts (the counter)."""

    rows: list[Row]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.answer in ANSWERS)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.answer == NO)

    @property
    def not_applicable(self) -> int:
        return sum(1 for r in self.rows if r.answer == NA)
