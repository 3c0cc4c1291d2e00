from django.core.management.base import BaseCommand

from shian.core.context import current_source
from shian.hazards.services import raise_case_leads


class Command(BaseCommand):
    help = (
        "Raise case leads (案件线索) for serious and overdue hazards and notify regulators (the daily job; "
        "safe to run more than once). Opens no case: 立案 is a regulator's decision."
    )

    def handle(self, *args, **options):
        token = current_source.set("cli")
        try:
            count = raise_case_leads()
        finally:
            current_source.reset(token)
        self.stdout.write(f"{count} case leads raised")
