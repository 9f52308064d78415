from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from villagehub.core.tasks import TASK_RESULTS_KEPT, task_again, task_results_prune, task_waiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _finished(status: str, age: timedelta) -> DBTaskResult:
    task_results_prune.enqueue()
    result = DBTaskResult.objects.filter(status="READY").latest("enqueued_at")
    finished = timezone.now() - age
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=status, started_at=finished, finished_at=finished
    )
    return result


def test_finished_tasks_are_deleted_after_a_week_and_the_next_run_is_queued(database_tasks):
    old = _finished("SUCCESSFUL", TASK_RESULTS_KEPT + timedelta(hours=1))
    old_failure = _finished("FAILED", TASK_RESULTS_KEPT + timedelta(hours=1))
    recent = _finished("SUCCESSFUL", TASK_RESULTS_KEPT - timedelta(hours=1))
    task_results_prune.call()
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert recent.pk in left and not {old.pk, old_failure.pk} & left
    (next_run,) = DBTaskResult.objects.filter(status="READY")
    assert next_run.task_path.endswith("task_results_prune")
    assert next_run.run_after > timezone.now() + timedelta(hours=23)
    # Run again, it queues no second one.
    task_results_prune.call()
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_run_queued_without_a_time_is_due_at_once_and_one_queued_later_is_not(database_tasks):
    now = timezone.now()
    assert not task_waiting(task_results_prune)
    task_results_prune.using(run_after=now + timedelta(hours=2)).enqueue()
    assert task_waiting(task_results_prune)
    assert not task_waiting(task_results_prune, due_by=now + timedelta(hours=1))
    assert task_waiting(task_results_prune, due_by=now + timedelta(hours=3))
    task_results_prune.enqueue()
    assert task_waiting(task_results_prune, due_by=now)


def test_a_recurring_task_is_queued_again_only_when_no_run_waits_by_then(database_tasks):
    later = timezone.now() + timedelta(hours=2)
    task_again(task_results_prune, at=later)
    task_again(task_results_prune, at=later + timedelta(hours=1))
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # A run wanted sooner than the waiting one is queued beside it.
    task_again(task_results_prune, at=later - timedelta(hours=1))
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    # A running run is not waiting.
    DBTaskResult.objects.update(status="RUNNING")
    assert not task_waiting(task_results_prune)
