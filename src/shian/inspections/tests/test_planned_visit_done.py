"""``PlannedVisit.done_on`` (issue 14: the "behind schedule" queue without a search of every business's
inspections) agrees with its definition: done when a closed inspection of the business falls in the visit's
window. Kept by ``planning.mark_done`` when an inspection closes and when a plan is made."""

import datetime as dt

from shian.inspections import home, services
from shian.inspections.models import Inspection, InspectionState, Outcome, PlannedVisit
from shian.inspections.planning import mark_done, plan_generate
from shian.inspections.tests.test_plans import YEAR, district  # noqa: F401 - the fixture


def _close(users, business, day):
    inspection = services.inspection_start(actor=users["inspector"], business=business)
    Inspection.objects.filter(pk=inspection.pk).update(inspected_on=day)
    inspection.refresh_from_db()
    services.inspection_record(
        actor=users["inspector"],
        inspection=inspection,
        results={r.item_id: {"outcome": Outcome.PASS} for r in inspection.results.all()},
    )
    services.inspection_close(actor=users["inspector"], inspection=inspection)


def _by_definition(visit) -> bool:
    return Inspection.objects.filter(
        business=visit.business_id,
        state=InspectionState.CLOSED,
        inspected_on__gte=visit.window_start,
        inspected_on__lte=visit.due_on,
    ).exists()


def test_done_on_follows_closed_inspections_and_the_behind_count_agrees(users, district):  # noqa: F811
    plan = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=5)
    visits = list(plan.visits.order_by("due_on", "pk"))
    first, second = visits[0], visits[1]
    _close(users, first.business, first.window_start)  # inside the first visit's window
    _close(users, second.business, second.window_start - dt.timedelta(days=1))  # just before its window
    for v in PlannedVisit.objects.filter(plan=plan):
        assert (v.done_on is not None) == _by_definition(v), v
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_on == first.window_start and second.done_on is None

    today = max(v.due_on for v in visits) + dt.timedelta(days=1)
    if today.year != YEAR:  # the count is of this year's visits
        today = dt.date(YEAR, 12, 31)
    need = home.visits_behind(users["haishu"], today)
    expected = sum(1 for v in PlannedVisit.objects.filter(plan=plan) if v.due_on < today and not _by_definition(v))
    assert need.count == expected


def test_a_plan_made_after_the_inspection_starts_done(users, district):  # noqa: F811
    """A plan made (or remade) when an inspection inside one of its windows is already closed."""
    first = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=6)
    visit = first.visits.order_by("due_on", "pk").first()
    _close(users, visit.business, visit.window_start)
    again = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=6)
    same = again.visits.get(business=visit.business, window_start=visit.window_start, due_on=visit.due_on)
    assert same.done_on == visit.window_start
    for v in again.visits.all():
        assert (v.done_on is not None) == _by_definition(v), v
    assert mark_done() == 0  # nothing left for a full pass to find
