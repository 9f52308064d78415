"""The hub's account adapter: allauth's e-mails speak in the hub's name."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class HubAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth greets with the current site, which without django.contrib.sites is the
        # host the request came to ("127.0.0.1:8000"); people know the hub by its name.
        site = SimpleNamespace(name=settings.HUB_NAME, domain=urlsplit(settings.HUB_URL).netloc)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
