"""Background work of NGSI-LD: sending notifications. Tasks take ids and only call services."""

from django_tasks import task

from . import services


@task()
def notification_send(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)
