"""Links in e-mails and calendars point at the address the hub is served at."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from villagehub import cli

ROOT = Path(cli.__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("8080", "http://127.0.0.1:8080"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("[::1]:8001", "http://[::1]:8001"),
        ("hub.local:8000", "http://hub.local:8000"),
    ],
)
def test_hub_url_for_the_address_served(addrport, url):
    assert cli.hub_url_for(addrport) == url


@pytest.fixture
def ran(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "manage", calls.append)
    monkeypatch.delenv("HUB_URL", raising=False)
    return calls


def test_serve_sets_hub_url_from_its_address_unless_it_is_set(ran, monkeypatch):
    cli.main(["serve", "127.0.0.1:8080"])
    assert os.environ["HUB_URL"] == "http://127.0.0.1:8080"
    assert ran == [["villagehub", "serve", "127.0.0.1:8080"]]

    monkeypatch.setenv("HUB_URL", "https://hub.example.org")
    cli.main(["serve", "127.0.0.1:9090"])
    assert os.environ["HUB_URL"] == "https://hub.example.org"


def test_serve_without_an_address_and_in_production(ran, monkeypatch):
    cli.main(["serve"])
    assert os.environ["HUB_URL"] == "http://127.0.0.1:8000"

    monkeypatch.delenv("HUB_URL")
    cli.main(["serve", "--production", "0.0.0.0:80"])
    assert "HUB_URL" not in os.environ


def _demo_hub_url(port: str, environment: dict[str, str]) -> str:
    """What HUB_URL the worker and the server of `make demo` get, by running the recipe's
    own line (printed by `make -n`) up to the commands it would start."""
    printed = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "--no-print-directory", "demo", f"PORT={port}"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    [line] = [line for line in printed.splitlines() if "HUB_URL=" in line]
    script = line.rstrip("\\ ").rstrip() + ' printf %s "$HUB_URL"'
    return subprocess.run(  # noqa: S603 - the Makefile's own line
        ["sh", "-c", script],  # noqa: S607
        env=environment, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_passes_its_port_into_hub_url_unless_it_is_set():
    path = {"PATH": os.environ["PATH"]}

    assert _demo_hub_url("8080", path) == "http://127.0.0.1:8080"
    assert _demo_hub_url("8080", {**path, "HUB_URL": "https://hub.example.org"}) == (
        "https://hub.example.org"
    )
