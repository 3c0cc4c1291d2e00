from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shian.core.context import current_source
from shian.registry.imports import import_businesses


class Command(BaseCommand):
    help = "Import businesses (with licences and staff) from .xlsx or UTF-8 .csv. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--report", help="write the error report (.xlsx) here when the file has errors")

    def handle(self, *args, file, report, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        from tqdm import tqdm

        bar = tqdm(total=100, desc="import", unit="%")

        def progress(done, total):
            bar.update(int(100 * done / max(total, 1)) - bar.n)

        token = current_source.set("cli")
        try:
            result = import_businesses(data=path.read_bytes(), filename=path.name, actor=None, progress=progress)
        finally:
            current_source.reset(token)
            bar.close()
        run = result.run
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path.name}: {run.rows} rows, {run.created} created, {run.updated} updated, "
                    f"{run.unchanged} unchanged ({run.seconds:.1f} s)"
                )
            )
            return
        for e in run.errors[:50]:
            where = f"row {e['row']}" if e["row"] else "file"
            col = f", {e['column']}" if e["column"] else ""
            self.stderr.write(f"{path.name}: {where}{col}: {e['message']}" + (f" [{e['value']}]" if e["value"] else ""))
        if len(run.errors) > 50:
            self.stderr.write(f"... and {len(run.errors) - 50} more errors")
        if report:
            from shian.registry.imports import error_report_xlsx

            Path(report).write_bytes(error_report_xlsx(run))
            self.stderr.write(f"error report written to {report}")
        raise CommandError(f"{path.name}: {len(run.errors)} errors; nothing was imported")
