from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import BusinessGrade


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    return selectors.grade_distribution(user) if may(user, VIEW, BusinessGrade) else None


def tiles(user, d) -> list[Tile]:
    if d is None:
        return []
    if not d["rule_set"]:
        return []
    # the highest-risk grade is the band the rule set marks "high" (data), with the highest score
    totals = dict(d["totals"])
    high_bands = [b for b in d["bands"] if b.risk == "high"] or d["bands"][-1:]
    top = max(high_bands, key=lambda b: b.min_score) if high_bands else None
    high = (top.grade, totals.get(top.grade, 0)) if top else ("", 0)
    return [
        Tile(
            "grade_high",
            _("Highest-risk grade (%(g)s)") % {"g": high[0]},
            high[1],
            url=reverse("supervision:grades") + f"?grade={high[0]}",
            tone="warn" if high[1] else "good",
        ),
        Tile(
            "inspections_required",
            _("Inspections required per year"),
            f"{d['inspections_min']:,}–{d['inspections_max']:,}",
            url=reverse("supervision:grades"),
        ),
    ]


def charts(user, d) -> list[Chart]:
    if d is None:
        return []
    return (
        [Chart("grades", _("Businesses by risk grade"), bars=[Bar(g, n) for g, n in d["totals"]])]
        if d["graded"]
        else []
    )
