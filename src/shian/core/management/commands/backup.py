"""`shian backup PATH`: the database and the uploaded files in one archive (see core/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from shian.core import backup
from shian.core.choices import AuditAction


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online copy; PostgreSQL: pg_dump) and the uploaded files into one "
        "archive with a manifest of SHA-256 checksums. PATH is a file, or a folder to put "
        "shian-backup-<UTC time>.tar.gz in."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, or an existing folder")
        parser.add_argument("--no-compress", action="store_true", help="a plain tar instead of tar.gz")
        parser.add_argument("--no-media", action="store_true", help="the database only, without uploaded files")
        parser.add_argument("--force", action="store_true", help="replace PATH if it exists")

    def handle(self, *args, path, no_compress, no_media, force, **options):
        verbose = options["verbosity"] >= 1
        try:
            result = backup.backup_create(
                path,
                compress=not no_compress,
                include_media=not no_media,
                overwrite=force,
                report=backup.reporter(self.stdout.write, self.stderr.write, verbose),
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        backup.record(
            AuditAction.BACKUP,
            result.path,
            f"{result.size_bytes} bytes, {manifest['media']['files']} uploaded file(s), "
            f"{len(manifest['migrations'])} migrations",
            warn=self.stderr.write,
        )
        if not verbose:
            return
        media = manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({result.size_bytes / 1e6:.1f} MB, {result.seconds:.1f} s): "
                f"{backup.VENDOR_NAMES[manifest['database']['vendor']]} database with "
                f"{len(manifest['migrations'])} migrations, {media['files']} uploaded file(s)."
            )
        )
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.timings.items())
        self.stdout.write(f"Steps: {steps}.")
        self.stdout.write(
            "Keep a copy off this machine, and encrypt it at rest: it holds personal data (docs/security.md)."
        )
