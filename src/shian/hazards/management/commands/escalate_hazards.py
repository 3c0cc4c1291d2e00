from django.core.management.base import BaseCommand

from shian.core.context import current_source
from shian.hazards.services import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue hazards to cases and notify (the daily job; safe to run more than once)."

    def handle(self, *args, **options):
        token = current_source.set("cli")
        try:
            count = escalate_overdue()
        finally:
            current_source.reset(token)
        self.stdout.write(f"{count} hazards escalated")
