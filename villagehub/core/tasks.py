from datetime import datetime, timedelta

from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import default_task_backend, task
from django_tasks.base import Task

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


def task_waiting(chosen: Task, *, due_by: datetime | None = None) -> bool:
    """Whether a run of the task is queued and not started yet (one due by `due_by`, if
    given; a run queued without a time is due at once)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    runs = DBTaskResult.objects.filter(task_path=chosen.module_path, status="READY")
    if due_by is not None:
        runs = runs.filter(Q(run_after=get_date_max()) | Q(run_after__lte=due_by))
    return runs.exists()


def task_again(chosen: Task, *, at: datetime, args: tuple = ()) -> None:
    """Queue the next run of a recurring task for `at`, unless a run is waiting that is due
    by then (the worker queues the first run; without a deferring backend, none)."""
    if default_task_backend.supports_defer and not task_waiting(chosen, due_by=at):
        chosen.using(run_after=at).enqueue(*args)


@task()
def task_results_prune() -> None:
    """Delete the results of the tasks that finished more than `TASK_RESULTS_KEPT` ago (with
    django-tasks' own command), then queue the next daily run (the worker queues the first).
    """
    call_command(
        "prune_db_task_results", queue_name="*", min_age_days=TASK_RESULTS_KEPT.days, verbosity=0
    )
    task_again(task_results_prune, at=timezone.now() + PRUNE_INTERVAL)
