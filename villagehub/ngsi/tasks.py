"""Background work of NGSI-LD: sending notifications. Tasks take ids and only call services."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from villagehub.core.tasks import task_again, task_waiting

from . import services

SWEEP_INTERVAL = timedelta(seconds=60)
# The periodic chain looks again at least this often, for subscriptions made meanwhile
# elsewhere, and at most once a second however short their intervals.
PERIODIC_MAX_WAIT = timedelta(seconds=60)
PERIODIC_MIN_WAIT = timedelta(seconds=1)
HUB_SYNC_INTERVAL = timedelta(minutes=5)


@task()
def notification_send(notification_id: int) -> None:
    """One notification by id: a retry after its back-off, or one a dead worker left."""
    services.notification_deliver(notification_id=notification_id)


def notifications_send_soon() -> None:
    """Queue a sender after a commit that queued notifications, unless one is queued and
    due already: it has not claimed anything yet, so it will take these too."""
    if default_task_backend.supports_defer and task_waiting(
        notifications_send, due_by=timezone.now()
    ):
        return
    notifications_send.enqueue()


def notifications_send_after_commit() -> None:
    """`notifications_send_soon` once the transaction commits, asked once however many
    notifications it queues (a batch queues one per entity, and each call is a query): not
    again while a call already waiting will run whenever this one would (registered outside
    every savepoint that this one is in, so no rollback drops it alone)."""
    connection = transaction.get_connection()
    current = set(connection.savepoint_ids)
    for savepoints, func, _robust in connection.run_on_commit:
        if func is notifications_send_soon and savepoints <= current:
            return
    transaction.on_commit(notifications_send_soon)


def senders_running() -> int:
    """How many senders started within NOTIFY_SPAN are running (a dead worker's sender
    stays "running", but not for longer than a sender lives)."""
    from django_tasks_db.models import DBTaskResult

    since = timezone.now() - timedelta(seconds=services.NOTIFY_SPAN)
    return DBTaskResult.objects.filter(
        task_path__endswith=".notifications_send", status="RUNNING", started_at__gte=since
    ).count()


# Ahead of the other tasks (retries, e-mail): a sender waiting behind them would delay
# every new notification, which is what it exists to avoid.
@task(priority=10)
def notifications_send() -> int:
    """Send the new notifications until none is left. The only sender running waits a
    little for more (a queue only: run in the request, it would hold the answer); a second
    one does not, so that it leaves the worker to other tasks."""
    alone = default_task_backend.supports_defer and senders_running() <= 1
    return services.notifications_deliver_new(linger=services.NOTIFY_LINGER if alone else 0)


@task()
def notifications_sweep() -> int:
    """Queue again the notifications a dead worker left, then the next sweep (the worker
    queues the first)."""
    queued = services.notifications_requeue()
    task_again(notifications_sweep, at=timezone.now() + SWEEP_INTERVAL)
    return queued


@task()
def hub_records_sync_run(since: str | None = None) -> dict:
    """Publish the hub's records changed since the last run (all, the first time), then
    queue the next run (the worker queues the first)."""
    started = timezone.now()
    counts = services.hub_records_sync(since=datetime.fromisoformat(since) if since else None)
    task_again(hub_records_sync_run, at=started + HUB_SYNC_INTERVAL, args=(started.isoformat(),))
    return counts


@task()
def subscriptions_periodic_run() -> int:
    """Send the periodic notifications (timeInterval) that fell due, then queue the next run
    for when the next one falls due (the worker queues the first; a new periodic
    subscription queues one too)."""
    queued = services.subscriptions_periodic_notify()
    if default_task_backend.supports_defer:
        now = timezone.now()
        due = services.subscriptions_periodic_next(now=now)
        next_run = min(due or now + PERIODIC_MAX_WAIT, now + PERIODIC_MAX_WAIT)
        next_run = max(next_run, now + PERIODIC_MIN_WAIT)
        task_again(subscriptions_periodic_run, at=next_run)
    return queued
