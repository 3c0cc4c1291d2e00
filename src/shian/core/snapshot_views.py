"""The refresh button of the KPI snapshots (core.snapshots): an HTMX POST that enqueues a recompute of
the user's scope. Requested twice (two clicks, two users of the same region), it runs once."""

from django.shortcuts import redirect, render
from django.utils import timezone

from . import snapshots
from .policy import SIGNED_IN, operation


@operation(SIGNED_IN, write=True)
def kpi_refresh(request):
    """Any official may ask for their own scope's figures to be recomputed (their summary, their scope);
    a business's own staff see live figures, so there is nothing to queue for them. Only a POST queues:
    a GET (a link followed, a prefetch) goes back to the dashboard."""
    if request.method != "POST":
        return redirect("core:dashboard")
    user = request.user
    scope_path = snapshots.scope_path(user)
    job = created = None
    if scope_path is not None:
        region = user.region if scope_path else None
        job, created = snapshots.request_refresh(scope_path, user=user, region=region)
    if not request.headers.get("HX-Request"):
        return redirect("core:dashboard")
    context = {
        "fresh": snapshots.freshness(user),
        "job": job,
        "created": created,
        "today": timezone.localdate(),
    }
    return render(request, "core/_kpi_freshness.html", context)
