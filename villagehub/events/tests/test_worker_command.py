"""`villagehub worker` is one process even with DEBUG on: killing it with SIGKILL stops the
work, and no reloader's child is left behind running tasks."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_tasks_db.models import DBTaskResult

from villagehub.core.tests.processes import worker_database_url
from villagehub.events.tasks import registrations_retention_run


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux /proc")
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_under_debug_stops_it_and_leaves_no_process(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "villagehub.settings",
        "DATABASE_URL": worker_database_url(),
        "TASKS_BACKEND": "database",
        "SECRET_KEY": django_settings.SECRET_KEY,
    }
    with open(tmp_path / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "villagehub.cli", "worker", "--interval", "0.1",
             "--no-startup-delay"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    spawned: set[int] = set()
    try:
        # The worker runs the periodic tasks it queues at start: it is at work.
        _wait_for(
            lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists(),
            60,
            "the worker ran a task",
        )
        spawned = _children(worker.pid)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        time.sleep(0.5)
        assert [pid for pid in spawned if _alive(pid)] == []
        # Nothing runs a task queued after the kill.
        result = registrations_retention_run.enqueue()
        time.sleep(2)
        assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    finally:
        for pid in [worker.pid, *spawned]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        worker.wait(10)
