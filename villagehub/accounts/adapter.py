"""allauth as the hub configures it: its e-mails speak in the hub's name, and its rate limits
count the same client address as the hub's own."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from villagehub.core.ratelimit import client_ip

from .selectors import language_of_address


class HubAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # Behind the configured proxies only, the address they pass (TRUSTED_PROXY_COUNT).
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth greets with the current site, which without django.contrib.sites is the
        # host the request came to ("127.0.0.1:8000"); people know the hub by its name.
        site = SimpleNamespace(name=settings.HUB_NAME, domain=urlsplit(settings.HUB_URL).netloc)
        # To an address an account holds, in the language its owner chose, links included;
        # else (a new address being confirmed) in the page's, which a new account takes.
        language = language_of_address(email) or translation.get_language()
        links = {
            key: translate_url(value, language)
            for key, value in context.items()
            if key.endswith("_url") and isinstance(value, str)
        }
        with translation.override(language):
            super().send_mail(template_prefix, email, {**context, **links, "current_site": site})
