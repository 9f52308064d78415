from allauth.account.adapter import DefaultAccountAdapter

from villagehub.core.ratelimit import client_ip


class HubAccountAdapter(DefaultAccountAdapter):
    """allauth as the hub configures it: rate limits count the same client address as the
    hub's own (behind the configured proxies only, the address they pass)."""

    def get_client_ip(self, request) -> str:
        return client_ip(request)
