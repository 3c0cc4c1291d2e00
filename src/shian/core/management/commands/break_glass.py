"""``shian break_glass``: the emergency superuser (docs/security/administrators.md).

    shian break_glass --user NAME --reason TEXT [--hours 4]   # grant, for at most 24 hours
    shian break_glass --end NAME                              # end it now
    shian break_glass --list                                  # grants in force

Only someone with a shell on the server can run it (no page or API operation grants a superuser). Every
grant and end is written to the audit log (action "break_glass") with the reason and who ran it; the
grant ends by itself at its time (checked on each request of the account, pages and API alike).
"""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shian.core import services
from shian.core.context import current_source
from shian.core.models import User


def _operator() -> str:
    """Who is at the server's keyboard: the OS account (and the one sudo came from)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    sudo = os.environ.get("SUDO_USER")
    return f"{name} (sudo from {sudo})" if sudo else name


class Command(BaseCommand):
    help = "Grant a time-limited emergency superuser (audited), end one, or list those in force."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--user", help="the account to make a superuser for a while")
        group.add_argument("--end", metavar="NAME", help="end the break-glass grant of this account now")
        group.add_argument("--list", action="store_true", help="the grants in force")
        parser.add_argument("--reason", default="", help="why (at least 10 characters; written to the audit log)")
        parser.add_argument("--hours", type=float, default=4.0, help="how long (default 4, at most 24)")

    def handle(self, *args, user=None, end=None, list=False, reason="", hours=4.0, **options):  # noqa: A002
        token = current_source.set("cli")
        try:
            if list:
                return self._list()
            name = user or end
            account = User.objects.filter(username=name).first()
            if account is None:
                raise CommandError(f"no account named {name!r}")
            if end:
                if not services.break_glass_end(user=account, why=f"ended by {_operator()} (shian break_glass --end)"):
                    raise CommandError(f"{name} holds no break-glass grant")
                self.stdout.write(self.style.SUCCESS(f"{name}: break-glass ended; the account is no superuser now."))
                return None
            try:
                until = services.break_glass_start(user=account, reason=reason, hours=hours, operator=_operator())
            except ValidationError as exc:
                problems = "; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                raise CommandError(problems) from None
            self.stdout.write(
                self.style.WARNING(
                    f"{name} is a superuser until {until:%Y-%m-%d %H:%M %Z} (audited). "
                    f"End it sooner with: shian break_glass --end {name}"
                )
            )
            return None
        finally:
            current_source.reset(token)

    def _list(self):
        found = False
        for account in User.objects.filter(is_superuser=True).order_by("username"):
            until = services.break_glass_until(account)
            if until is not None:
                found = True
                self.stdout.write(f"{account.username}  until {until:%Y-%m-%d %H:%M %Z}")
        if not found:
            self.stdout.write("No break-glass grant is in force.")
