"""The risk grade as a column of the business list (core.listing), with the 重点监督检查 mark."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core.listing import Cell
from shian.core.scoping import VIEW

from .models import BusinessGrade, GradeBand


def grade_cells(user, ids: list[int]) -> dict[int, Cell]:
    """One query for the page: the grade (coloured by its band's risk level) and, for a business under
    重点监督检查, the mark 重点 with the rules that put it there in the title."""
    rows = (
        BusinessGrade.objects.restrict(user, VIEW)
        .filter(business_id__in=ids)
        .values_list("business_id", "grade", "score", "rule_set_id", "key_supervision", "key_reasons")
    )
    rows = list(rows)
    bands = {(b.rule_set_id, b.grade): b for b in GradeBand.objects.filter(rule_set_id__in={r[3] for r in rows})}
    out = {}
    for business_id, grade, score, rule_set_id, key, key_reasons in rows:
        band = bands.get((rule_set_id, grade))
        title = _("score %(s)s") % {"s": score}
        text = grade
        if key:
            text = f"{grade} · {pgettext('key supervision, short', 'Key')}"
            title = _("%(score)s; key supervision: %(why)s") % {
                "score": title,
                "why": "; ".join(r.get("label", "") for r in key_reasons),
            }
        out[business_id] = Cell(text, tone=band.tone if band else "", title=title)
    return out
