from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from villagehub.core.mail import email_send
from villagehub.core.tasks import task_again

from . import services
from .models import Issue, Subscription
from .selectors import subscription_links, unsubscribe_headers


@task()
def subscription_mail(subscription_id: int, template: str) -> bool:
    """Mail a subscriber the link to confirm (`subscription_confirm`) or, when the address
    is already subscribed, the link to its preferences (`subscription_known`)."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return False
    links = subscription_links(subscription)
    email_send(
        to=subscription.email,
        template=f"news/{template}",
        context={"links": links},
        language=subscription.language,
        headers=unsubscribe_headers(links) if template == "subscription_known" else None,
    )
    return True


@task()
def issue_deliver(issue_id: int) -> int:
    """One worker's share of an issue: it claims batches until none is left. Running it
    twice, or next to others, sends nothing twice: each row is claimed by one worker."""
    issue = Issue.objects.select_related("network").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.SENDING:
        return 0
    return services.issue_deliver_all(issue=issue)


@task()
def issue_check(issue_id: int) -> bool:
    """Deferred after sending starts, and again while rows wait: a worker killed mid-send
    leaves rows whose lease runs out; this queues a worker for them."""
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None or services.issue_finish(issue=issue):
        return False
    issue_deliver.enqueue(issue_id)
    if default_task_backend.supports_defer:
        issue_check.using(run_after=timezone.now() + services.DELIVERY_LEASE).enqueue(issue_id)
    return True


@task()
def newsletters_run() -> int:
    """Start the scheduled issues that fell due and the automatic digests whose week or
    month has come, then queue the next run (the worker queues the first). Two runs at once
    start nothing twice (see `issue_send` and `digests_assemble`). Returns the issues
    started."""
    started = services.issues_send_due() + services.digests_assemble()
    task_again(newsletters_run, at=timezone.now() + timedelta(seconds=settings.NEWSLETTER_TICK))
    return len(started)
