from django.core.management import call_command
from django.core.management.base import BaseCommand

from villagehub.contact.tasks import contact_retention_run
from villagehub.core.tasks import task_results_prune, task_waiting
from villagehub.events.tasks import registrations_retention_run, waitlist_offers_sweep
from villagehub.news.tasks import newsletters_run
from villagehub.ngsi.tasks import (
    hub_records_sync_run,
    notifications_sweep,
    subscriptions_periodic_run,
)
from villagehub.notices.tasks import notices_daily_summary

# The tasks that queue their own next run; the worker queues the first of each it finds
# waiting for none.
RECURRING = [
    registrations_retention_run,
    contact_retention_run,
    waitlist_offers_sweep,
    notifications_sweep,
    subscriptions_periodic_run,
    hub_records_sync_run,
    notices_daily_summary,
    newsletters_run,
    task_results_prune,
]


class Command(BaseCommand):
    help = (
        "Run the background tasks (e-mail, reminders, the daily anonymisation of old "
        "registrations, the deletion of old contact messages and of finished tasks' results) "
        "as they fall due, without the reloader unless --reload is given. Options are those "
        "of django-tasks' db_worker."
    )

    def run_from_argv(self, argv):
        # Everything after `worker` goes to db_worker unchanged (--batch, --interval, ...).
        self.worker_args = argv[2:]
        super().run_from_argv(argv[:2])

    def handle(self, *args, **options):
        for recurring in RECURRING:
            if not task_waiting(recurring):
                recurring.enqueue()
        # db_worker runs under Django's reloader when DEBUG is on: a SIGKILL (an operator's,
        # or the OOM killer's) would then end only the reloader while its child went on
        # sending. The worker is the process its supervisor sees; `--reload` after `worker`
        # still asks for the reloader (the last of the two wins).
        call_command("db_worker", "--no-reload", *getattr(self, "worker_args", []))
