import argparse
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from shian.core.context import current_source
from shian.supervision.services import grades_recompute


class Command(BaseCommand):
    help = "Regrade every business under the rule set in force (the nightly job), or as of a past day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=_date,
            help="grade as things stood at the end of this past day (YYYY-MM-DD) to extend grade history",
        )

    def handle(self, *args, **options):
        token = current_source.set("cli")
        started = time.monotonic()
        try:
            if options["as_of"]:
                counts = grades_recompute(trigger="history", as_of=options["as_of"])
            else:
                counts = grades_recompute(trigger="nightly")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            current_source.reset(token)
        self.stdout.write(
            f"{counts['graded']} graded, {counts['changed']} changed in {time.monotonic() - started:.1f} s"
        )


def _date(value: str):
    try:
        day = parse_date(value) if value else None
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)")
    return day
