"""`shian restore PATH --yes`: replace the database and the uploaded files with an archive's (core/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from shian.core import backup
from shian.core.choices import AuditAction


class Command(BaseCommand):
    help = (
        "Restore a `shian backup` archive: checks every checksum, the database vendor and the schema first, "
        "then replaces the configured database and the uploaded files, and runs migrate. Stop the server, the "
        "worker and the scheduler first. Needs --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `shian backup`")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the current database and uploaded files will be replaced"
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="do not run migrate afterwards (an older archive stays older)"
        )

    def handle(self, *args, path, yes, no_migrate, **options):
        if not yes:
            raise CommandError(
                f"Restoring {path} replaces the current database and every uploaded file. Stop the server, the "
                "worker and the scheduler, then run again with --yes."
            )
        verbose = options["verbosity"] >= 1
        try:
            result = backup.restore_archive(
                path, migrate=not no_migrate, report=backup.reporter(self.stdout.write, self.stderr.write, verbose)
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        backup.record(
            AuditAction.RESTORE,
            path,
            f"archive made {manifest['created_at']} by ShiAn {manifest['shian_version']}; "
            f"{len(result.migrations_applied)} migration(s) applied since",
            warn=self.stderr.write,
        )
        if not verbose:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} (made {manifest['created_at']} by ShiAn {manifest['shian_version']}) in "
                f"{result.seconds:.1f} s; {len(result.migrations_applied)} migration(s) applied since; "
                "the audit log's append-only triggers are in place. Start the server again."
            )
        )
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.timings.items())
        self.stdout.write(f"Steps: {steps}.")
