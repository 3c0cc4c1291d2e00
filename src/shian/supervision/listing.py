"""The risk grade as a column of the business list (core.listing)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shian.core.listing import Cell
from shian.core.scoping import VIEW

from .models import BusinessGrade, GradeBand


def grade_cells(user, ids: list[int]) -> dict[int, Cell]:
    rows = (
        BusinessGrade.objects.restrict(user, VIEW)
        .filter(business_id__in=ids)
        .values_list("business_id", "grade", "score", "rule_set_id")
    )
    rows = list(rows)
    bands = {(b.rule_set_id, b.grade): b for b in GradeBand.objects.filter(rule_set_id__in={r[3] for r in rows})}
    out = {}
    for business_id, grade, score, rule_set_id in rows:
        band = bands.get((rule_set_id, grade))
        out[business_id] = Cell(
            grade,
            tone=band.tone if band else "",
            title=_("score %(s)s") % {"s": score},
        )
    return out
