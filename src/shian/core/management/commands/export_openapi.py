import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema as JSON (committed as docs/openapi.json)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-")

    def handle(self, *args, path, **options):
        from django.conf import settings
        from django.utils.module_loading import import_string

        api = import_string(settings.API_OBJECT)  # the project's NinjaAPI; core imports no app's API
        text = json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if path == "-":
            self.stdout.write(text)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(f"wrote {path}")
