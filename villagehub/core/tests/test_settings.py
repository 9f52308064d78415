import gc
import os
import subprocess
import sys

import pytest

IMPORT_SETTINGS = "import villagehub.settings"


def _load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", IMPORT_SETTINGS],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("secret", [None, "short"])
def test_settings_refuse_production_without_a_real_secret(secret):
    env = {"DEBUG": "false"} if secret is None else {"DEBUG": "false", "SECRET_KEY": secret}
    result = _load_settings(**env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set to a real secret" in result.stderr


def test_settings_accept_production_with_a_real_secret():
    result = _load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="hub.example.org")
    assert result.returncode == 0, result.stderr


def test_settings_explain_a_malformed_boolean():
    result = _load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_documented_production_settings_pass_the_deployment_check(tmp_path):
    """The settings the README documents for production pass `villagehub check --deploy`."""
    import secrets

    # The browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE for the test process; production
    # never has it.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="hub.example.org",
        SECURE_SSL_REDIRECT="true",
        VILLAGEHUB_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "villagehub.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_code(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_gunicorn_copies_the_search_filters_before_forking(transactional_db):
    """Workers start with the copy (`preload_app`), and no connection crosses the fork."""
    from django.db import connection

    from villagehub import gunicorn_conf
    from villagehub.practices.tests.factories import PracticeFactory
    from villagehub.search.counts import shared

    PracticeFactory(title="Village fibre")
    shared.clear()
    assert gunicorn_conf.preload_app is True
    gunicorn_conf.when_ready(server=None)
    assert shared.values is not None
    assert shared.generation > 0
    assert connection.connection is None


def test_gunicorn_puts_what_it_loaded_out_of_the_collectors_sight(transactional_db):
    """What the workers share is frozen before the fork (`gc.freeze`)."""
    from villagehub import gunicorn_conf

    gc.unfreeze()
    try:
        gunicorn_conf.when_ready(server=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
