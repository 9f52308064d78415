"""Background work of NGSI-LD: sending notifications. Tasks take ids and only call services."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import services

SWEEP_INTERVAL = timedelta(seconds=60)
HUB_SYNC_INTERVAL = timedelta(minutes=5)


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


def hub_sync_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path__endswith="hub_records_sync_run", status="READY"
    ).exists()


@task()
def hub_records_sync_run(since: str | None = None) -> dict:
    """Publish the hub's records changed since the last run (all, the first time), then
    queue the next run (the worker queues the first)."""
    started = timezone.now()
    counts = services.hub_records_sync(since=datetime.fromisoformat(since) if since else None)
    if default_task_backend.supports_defer and not hub_sync_pending():
        hub_records_sync_run.using(run_after=started + HUB_SYNC_INTERVAL).enqueue(
            started.isoformat()
        )
    return counts
