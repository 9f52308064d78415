from datetime import timedelta

from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .services import image_variants_update


@task()
def image_variants_make(label: str, pk: int, replaced: str = "") -> bool:
    """Make the responsive sizes of one record's image (`app.Model`, primary key) and remove
    those of the image it replaced."""
    model = apps.get_model(label)
    image_variants_update(instance=model(pk=pk), replaced=replaced)
    return True


def image_variants_later(instance: models.Model, *, replaced: str = "") -> None:
    """After the record's transaction commits, make the sizes of its (new) image."""
    label, pk = instance._meta.label, instance.pk
    transaction.on_commit(lambda: image_variants_make.enqueue(label, pk, replaced))


# Finished tasks' rows are kept this long (for an operator looking into a failure), then
# deleted: every change that notifies a subscriber leaves one, and nothing else removes them.
TASK_RESULTS_KEPT = timedelta(days=7)
PRUNE_INTERVAL = timedelta(days=1)


def prune_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path__endswith="task_results_prune", status="READY"
    ).exists()


@task()
def task_results_prune() -> None:
    """Delete the results of the tasks that finished more than `TASK_RESULTS_KEPT` ago (with
    django-tasks' own command), then queue the next daily run (the worker queues the first).
    """
    call_command(
        "prune_db_task_results", queue_name="*", min_age_days=TASK_RESULTS_KEPT.days, verbosity=0
    )
    if default_task_backend.supports_defer and not prune_pending():
        task_results_prune.using(run_after=timezone.now() + PRUNE_INTERVAL).enqueue()
