from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from villagehub.core.tasks import TASK_RESULTS_KEPT, task_results_prune

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
