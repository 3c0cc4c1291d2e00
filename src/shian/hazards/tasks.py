"""Background work for hazards (Django's tasks API): the daily job that raises case leads (案件线索) for
serious and overdue hazards, enqueued by the scheduler (`shian scheduler`) at 01:00, or run by hand with
`shian escalate_hazards`. It opens no case: 立案 is a regulator's decision (services.case_lead_decide).
The job keeps its old key and name so schedules already stored keep working."""

from django_tasks import task

from shian.core import jobs

from . import services


@task()
def escalate_overdue_hazards() -> int:
    return services.raise_case_leads()


jobs.register_periodic("hazards.escalate_overdue", escalate_overdue_hazards, at="01:00")
