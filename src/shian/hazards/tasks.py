"""Background work for hazards (Django's tasks API): the daily escalation, enqueued by the scheduler
(`shian scheduler`) at 01:00, or run by hand with `shian escalate_hazards`."""

from django_tasks import task

from shian.core import jobs

from . import services


@task()
def escalate_overdue_hazards() -> int:
    return services.escalate_overdue()


jobs.register_periodic("hazards.escalate_overdue", escalate_overdue_hazards, at="01:00")
