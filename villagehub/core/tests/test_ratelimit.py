"""Rate limits count the visitor's address: the connection's, or behind the configured
proxies the one they pass on; a header nobody configured is never believed."""

import os
import subprocess
import sys

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from villagehub.core.ratelimit import client_ip, rate_exceeded
from villagehub.events.tests.factories import event_make

from .test_settings import _load_settings

PROXY = "10.0.0.2"
VISITOR_A, VISITOR_B = "198.51.100.7", "203.0.113.9"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "client"),
    [
        (0, VISITOR_A, None, VISITOR_A),
        (0, VISITOR_A, VISITOR_B, VISITOR_A),  # no proxy: the header is anyone's to write
        (1, PROXY, VISITOR_A, VISITOR_A),
        (1, PROXY, f"{VISITOR_B}, {VISITOR_A}", VISITOR_A),  # the visitor wrote VISITOR_B
        (2, PROXY, f"{VISITOR_B}, {VISITOR_A}, 10.0.0.1", VISITOR_A),
        (2, PROXY, VISITOR_A, PROXY),  # fewer hops than proxies: did not come through them
        (1, PROXY, None, PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, " 2001:db8::1 ", "2001:db8::1"),
        (0, "", None, "unknown"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings, proxies, remote_addr, forwarded_for, client
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = request_from(remote_addr, forwarded_for)
    assert client_ip(request) == client
    assert get_adapter().get_client_ip(request) == client  # allauth counts the same address


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_does_not_escape_the_registration_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    register = f"/events/{event_make().slug}/register/"
    for n in range(settings.REGISTRATION_RATE_LIMIT):
        response = client.post(register, {}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert response.status_code == 200
    assert client.post(register, {}, HTTP_X_FORWARDED_FOR="192.0.2.250").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_registration_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    register = f"/events/{event_make().slug}/register/"
    for _n in range(settings.REGISTRATION_RATE_LIMIT):
        response = client.post(register, {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VISITOR_A)
        assert response.status_code == 200
    assert (
        client.post(
            register, {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{VISITOR_B}, {VISITOR_A}"
        ).status_code
        == 429
    )
    assert (
        client.post(register, {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VISITOR_B).status_code
        == 200
    )


@pytest.mark.django_db
def test_behind_a_proxy_allauth_limits_failed_sign_ins_per_visitor(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    refused = ["Too many failed login attempts. Try again later."]
    wrong = ["The email address and/or password you specified are not correct."]

    def sign_in_errors(n: int, visitor: str) -> list[str]:
        response = client.post(
            "/accounts/login/",
            {"login": f"nobody{n}@example.org", "password": "wrong-guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=visitor,
        )
        return response.context["form"].non_field_errors()

    for n in range(10):  # "10/m/ip"
        assert sign_in_errors(n, VISITOR_A) == wrong
    assert sign_in_errors(10, VISITOR_A) == refused
    assert sign_in_errors(11, VISITOR_B) == wrong


@pytest.mark.parametrize("value", ["yes", "-1", "²"])
def test_settings_explain_a_malformed_proxy_count(value):
    result = _load_settings(TRUSTED_PROXY_COUNT=value)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be the number of proxies (0 or more)" in result.stderr


def test_settings_give_allauth_the_same_proxy_count():
    code = (
        "import villagehub.settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", code],
        env={**os.environ, "TRUSTED_PROXY_COUNT": "2"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout == "2 2\n", result.stderr


def test_ipv6_visitors_count_per_64_block_as_allauth_counts_them(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    same_block = [request_from("2001:db8:1:2::1"), request_from("2001:db8:1:2:ffff::9")]
    other_block = request_from("2001:db8:1:3::1")
    assert rate_exceeded(same_block[0], scope="test", limit=1, seconds=3600) is False
    assert rate_exceeded(same_block[1], scope="test", limit=1, seconds=3600) is True
    assert rate_exceeded(other_block, scope="test", limit=1, seconds=3600) is False
