import pytest
from django.core import mail
from django.core.management import call_command

from villagehub.events.models import Notice

from .factories import event_make, register


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_mail_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    event = event_make()
    register(event, 1)
    assert mail.outbox == []
    queued = DBTaskResult.objects.filter(task_path__endswith="registration_notify")
    assert queued.count() == 1
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]
    assert queued.get().status == "SUCCESSFUL"
    # A second run of the same notice (a retry) finds it sent and sends nothing.
    from villagehub.events.tasks import registration_notify

    registration_notify.enqueue(event.registrations.get().pk, Notice.Kind.CONFIRMATION, "")
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert len(mail.outbox) == 1
