"""`shian twofactor_reset USERNAME`: remove an account's authenticator and recovery codes from the
command line (the system operator; any account, also a business's staff or a public account, which the
city administrator's page does not reach). Audited with the command line as the source."""

from django.core.management.base import BaseCommand, CommandError

from shian.core.context import current_source
from shian.core.models import User
from shian.twofactor import services


class Command(BaseCommand):
    help = "Reset (remove) the second factor of an account that lost its authenticator; it enrols again."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account with the username {username!r}")
        token = current_source.set("cli")
        try:
            services.device_reset(user=user, actor=None)
        except services.TwoFactorError as exc:
            raise CommandError(f"{username}: {exc.message}") from None
        finally:
            current_source.reset(token)
        self.stdout.write(f"{username}: second factor reset; the account enrols again at its next login")
