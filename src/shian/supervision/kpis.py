from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
            definition=_(
                "Businesses in your scope whose current risk grade, under the rule set in force, “%(rules)s”, is "
                "its highest-risk grade, %(g)s. Only operating businesses have a current grade; the grade is "
                "the one last computed (nightly, and after each closed inspection)."
            )
            % {"rules": d["rule_set"].name, "g": high[0]},
        ),
        Tile(
            "inspections_required",
            _("Inspections required per year"),
            f"{d['inspections_min']:,}–{d['inspections_max']:,}",
            url=reverse("supervision:grades"),
            definition=_(
                "The routine inspections a year that the current grades of the businesses in your scope require: "
                "the sum, over every graded (operating) business, of the lowest and of the highest number of "
                "inspections a year its grade band sets (%(bands)s)."
            )
            % {"bands": _frequencies(d["bands"])},
        ),
    ]


def _frequencies(bands) -> str:
    """Each band's inspections a year, from the rule set's data, e.g. "A 1, B 1–2, C 2–3, D 3–4"."""

    def n(x) -> str:
        return f"{float(x):g}"

    return pgettext("list separator", ", ").join(
        f"{b.grade} {n(b.inspections_min)}"
        + ("" if b.inspections_min == b.inspections_max else f"–{n(b.inspections_max)}")
        for b in bands
    )


def charts(user, d) -> list[Chart]:
    if d is None:
        return []
    return (
        [Chart("grades", _("Businesses by risk grade"), bars=[Bar(g, n) for g, n in d["totals"]])]
        if d["graded"]
        else []
    )
