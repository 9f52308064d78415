"""Background work of NGSI-LD: sending notifications. Tasks take ids and only call services."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import services

SWEEP_INTERVAL = timedelta(seconds=60)


@task()
def notification_send(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


def sweep_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path__endswith="notifications_sweep", status="READY"
    ).exists()


@task()
def notifications_sweep() -> int:
    """Queue again the notifications a dead worker left, then the next sweep (the worker
    queues the first)."""
    queued = services.notifications_requeue()
    if default_task_backend.supports_defer and not sweep_pending():
        notifications_sweep.using(run_after=timezone.now() + SWEEP_INTERVAL).enqueue()
    return queued
