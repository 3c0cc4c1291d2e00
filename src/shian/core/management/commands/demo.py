import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shian.core import demo
from shian.core.models import Region


class Command(BaseCommand):
    help = "Generate the demo city (deterministic). Skips if the database already has regions."

    def add_arguments(self, parser):
        parser.add_argument("--size", default="small", choices=sorted(demo.SIZES, key=demo.SIZES.get))
        parser.add_argument("--businesses", type=int, help="exact number of businesses (overrides --size)")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, size, businesses, seed, no_progress, **options):
        refuse_in_production()
        if Region.objects.exists():
            self.stdout.write("The database already holds a city; nothing generated (use `shian demo --reset`).")
            self.stdout.write(format_logins(current_logins()))
            return
        count = businesses or demo.SIZES[size]
        bars = {}

        def progress(label, done, total):
            if no_progress:
                return
            from tqdm import tqdm

            bar = bars.get(label) or bars.setdefault(label, tqdm(total=total, desc=label, unit="row"))
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        ctx = demo.DemoContext(size=size, businesses=count, seed=seed, progress=progress)
        started = time.monotonic()
        try:
            with transaction.atomic():
                for step in demo.steps():
                    step_started = time.monotonic()
                    step.run(ctx)
                    if options["verbosity"] >= 2:  # where generation time goes, step by step
                        self.stdout.write(f"  {step.key}: {time.monotonic() - step_started:.1f} s")
        except Exception as exc:
            raise CommandError(f"demo generation failed in a step: {exc}") from exc
        if connection.vendor == "postgresql" or connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Demo city generated: {count:,} businesses in {time.monotonic() - started:.1f} s.")
        )
        self.stdout.write(format_logins(current_logins()))


PRODUCTION_REFUSAL = (
    "the demo refuses to run under SHIAN_PROFILE=production: it creates accounts that share a published "
    "password. Generate demo data in a development database."
)


def refuse_in_production() -> None:
    from django.conf import settings

    if settings.PRODUCTION:
        raise CommandError(PRODUCTION_REFUSAL)


def current_logins() -> list[tuple[str, str, str]]:
    from shian.core.models import User
    from shian.core.scoping import businesses_of

    rows = []
    # the demo logins; the district inspectors the generator adds for the plans have no password to show
    users = [u for u in User.objects.select_related("region").order_by("pk") if u.has_usable_password()]
    businesses_of(users)
    for u in users:
        scope = u.region.name if u.region_id else (u.business.name if u.business_id else "—")
        rows.append((u.username, str(u.get_role_display()), scope))
    return rows


def format_logins(logins) -> str:
    from shian.core.demo_city import DEMO_PASSWORD

    lines = ["", "Demo logins — open http://127.0.0.1:8000/ and log in as:", ""]
    width = max((len(u) for u, _r, _s in logins), default=8)
    for username, role, scope in logins:
        lines.append(f"  {username:<{width}}  {role}  [{scope}]")
    lines.append(f"\n  password (every demo login): {DEMO_PASSWORD}\n")
    return "\n".join(lines)
