"""`shian scheduler`: enqueue the periodic tasks (nightly regrade 02:00, hazard escalation 01:00, …) at their
local times, for ever. The worker (`shian db_worker`, or RQ) runs them.

The table is ``core.jobs.register_periodic``; apps register in their ``tasks`` module (imported here for
every installed app) or their AppConfig.ready. Each task's last run is recorded (``PeriodicRun``), so a
restart does not run a day's job twice and a run missed while the scheduler was down is caught up once.
Every tick also fails jobs whose worker has died (``core.jobs.recover_stale``)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from shian.core import jobs

logger = logging.getLogger("shian.scheduler")


class Command(BaseCommand):
    help = "Enqueue the periodic background tasks at their times (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30, help="seconds between checks (default 30)")
        parser.add_argument("--once", action="store_true", help="check once, enqueue what is due, and exit")

    def handle(self, *args, interval: float, once: bool, **options):
        autodiscover_modules("tasks")
        zone = jobs.scheduler_zone()
        for p in jobs.periodic_tasks():
            self.stdout.write(f"{p.name}: daily at {p.at:%H:%M} ({zone.key}) → {p.task.module_path}")
        self.running = True

        def stop(signum, frame):
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while self.running:
            if not connection.in_atomic_block:  # (a test's transaction) drop a connection the database closed
                close_old_connections()
            try:
                failed = jobs.recover_stale()
                if failed:
                    self.stdout.write(f"{failed} job(s) whose worker had died marked failed")
                for name in jobs.run_due():
                    self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} enqueued {name}")
            except Exception:  # a database hiccup must not stop the scheduler: try again next tick
                logger.exception("scheduler tick failed")
            if once:
                break
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(min(1.0, interval))
