import time

from django.core.management.base import BaseCommand

from shian.core.context import current_source
from shian.supervision.services import grades_recompute


class Command(BaseCommand):
    help = "Regrade every business under the rule set in force (the nightly job)."

    def handle(self, *args, **options):
        token = current_source.set("cli")
        started = time.monotonic()
        try:
            counts = grades_recompute(trigger="nightly")
        finally:
            current_source.reset(token)
        self.stdout.write(
            f"{counts['graded']} graded, {counts['changed']} changed in {time.monotonic() - started:.1f} s"
        )
