"""Background work for hazards (Django's tasks API; run daily by the scheduler of your choice, e.g.
cron calling `shian escalate_hazards`, or enqueue ``escalate_overdue_hazards``)."""

from django_tasks import task

from . import services


@task()
def escalate_overdue_hazards() -> int:
    return services.escalate_overdue()
