"""Nightly regrading (Django's tasks API): enqueue ``recompute_grades`` or run `shian recompute_grades`."""

from django_tasks import task

from . import services


@task()
def recompute_grades() -> dict:
    return services.grades_recompute(trigger="nightly")
