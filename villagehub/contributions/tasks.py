from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from villagehub.accounts.selectors import language_of_address, languages_of
from villagehub.core.mail import email_send
from villagehub.notices.selectors import path_for, path_in


@task()
def contribution_notify(user_id: int, template: str, context: dict, language: str) -> bool:
    """Tell an editor the outcome of their request or submission (one e-mail per decision:
    decisions happen once, so a retry is the only way to send twice, and the task is only
    retried by hand), in the language they chose for their account, read when the e-mail
    goes (else `language`, the one they wrote in). `context["path"]` is the page to link
    to, without a language prefix (`notices.selectors.path_for`)."""
    from django.conf import settings

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    language = languages_of([user.pk]).get(user.pk) or language
    path = path_in(context.get("path") or path_for("contributions:dashboard"), language)
    email_send(
        to=user.email,
        template=f"contributions/{template}",
        context={**context, "url": settings.HUB_URL + path},
        language=language,
    )
    return True


@task()
def invitation_send(invitation_id: int) -> bool:
    from django.conf import settings
    from django.urls import reverse

    from .models import Invitation
    from .selectors import invitation_token

    invitation = (
        Invitation.objects.select_related("community", "organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    # Someone who already has an account reads it in the language they chose for it; a
    # newcomer in the language of the page the inviter invited from (`invitation.language`).
    language = language_of_address(invitation.email) or invitation.language
    with translation.override(language):
        path = reverse("contributions:invitation", kwargs={"token": invitation_token(invitation)})
    email_send(
        to=invitation.email,
        template="contributions/invitation",
        context={
            "community": invitation.target.name,
            "organisation": invitation.organisation_id is not None,
            "url": settings.HUB_URL + path,
        },
        language=language,
    )
    return True
