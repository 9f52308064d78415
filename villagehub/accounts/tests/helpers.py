"""Signing people in for tests the way the hub's login does."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.test import RequestFactory


def sign_in(client, user, *, second_factor: bool = True) -> None:
    """Sign `user` in with the steps allauth records in the session: the password and, for a
    person with an authenticator, the second factor unless `second_factor` is False (as the
    back office's own login used to). `client.force_login` records neither, so such a session
    does not count as having passed two-factor authentication."""
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    authenticator = (
        Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .first()
    )
    if second_factor and authenticator is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
