from django.core.management import call_command
from django.core.management.base import BaseCommand

from villagehub.contact.tasks import contact_retention_run
from villagehub.contact.tasks import retention_pending as contact_retention_pending
from villagehub.core.tasks import prune_pending, task_results_prune
from villagehub.events.tasks import (
    offers_sweep_pending,
    registrations_retention_run,
    retention_pending,
    waitlist_offers_sweep,
)
from villagehub.news.tasks import newsletters_pending, newsletters_run
from villagehub.ngsi.tasks import (
    hub_records_sync_run,
    hub_sync_pending,
    notifications_sweep,
    periodic_pending,
    subscriptions_periodic_run,
    sweep_pending,
)
from villagehub.notices.tasks import notices_daily_summary, summary_pending


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
        if not retention_pending():
            registrations_retention_run.enqueue()
        if not contact_retention_pending():
            contact_retention_run.enqueue()
        if not offers_sweep_pending():
            waitlist_offers_sweep.enqueue()
        if not sweep_pending():
            notifications_sweep.enqueue()
        if not periodic_pending():
            subscriptions_periodic_run.enqueue()
        if not hub_sync_pending():
            hub_records_sync_run.enqueue()
        if not summary_pending():
            notices_daily_summary.enqueue()
        if not newsletters_pending():
            newsletters_run.enqueue()
        if not prune_pending():
            task_results_prune.enqueue()
        # db_worker runs under Django's reloader when DEBUG is on: a SIGKILL (an operator's,
        # or the OOM killer's) would then end only the reloader while its child went on
        # sending. The worker is the process its supervisor sees; `--reload` after `worker`
        # still asks for the reloader (the last of the two wins).
        call_command("db_worker", "--no-reload", *getattr(self, "worker_args", []))
