from django_tasks import task

from villagehub.core.mail import email_send

from .models import Subscription
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
