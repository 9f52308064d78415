"""The one place a person's data is gathered and erased (GDPR art. 15, 17 and 20).

No app knows what the others keep about people. Each app that keeps something declares it
in its own `personal_data.py`, as a `Share`, and registers it from its `AppConfig.ready()`,
the way Django's own apps register their checks and signal receivers:

- `export`: the sections the app adds to a person's data export;
- `account`: the fields it adds to the export's "account" section (people with an account;
  the accounts app puts the account's own fields first);
- `traces`: the words that name the person in text the hub copied (names given when
  registering, a username), so that erasure can find them in the logs;
- `erase`: deletes or anonymises what the app keeps about the person, through the app's own
  services, and returns named counts (`{"registrations": 2}`);
- `mentions`: the columns that copy free text about people (logs, messages), where erasure
  replaces the person's words, or deletes the rows (`Mention(..., delete=True)`).

`accounts.overview.person_data` and `accounts.services.person_erase` walk the shares in the
order the apps are installed. A new model that holds personal data is covered by adding it
to its app's share; the erasure test that reads every column of every table fails until it is.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db.models import Model

from .models import OutboxMessage, Revision


@dataclass(frozen=True)
class Person:
    """Whom an export or an erasure is about: their e-mail addresses (in lower case) and their
    account, if they have one."""

    emails: frozenset[str]
    account: User | None = None


@dataclass(frozen=True)
class Mention:
    """Columns of `model` that may hold a person's words in free text."""

    model: type[Model]
    fields: tuple[str, ...]
    # A message that names the person goes whole; a log row keeps its place.
    delete: bool = False


@dataclass(frozen=True)
class Share:
    """What one app keeps about people (see the module's docstring)."""

    export: Callable[[Person], Mapping[str, Any]] | None = None
    account: Callable[[User], Mapping[str, Any]] | None = None
    traces: Callable[[Person], Iterable[str]] | None = None
    erase: Callable[[Person], Mapping[str, int] | None] | None = None
    mentions: tuple[Mention, ...] = ()


_shares: dict[str, Share] = {}


def register(app_label: str, share: Share) -> None:
    """Called from the app's `AppConfig.ready()`; registering again replaces the app's share."""
    _shares[app_label] = share


def shares() -> list[Share]:
    """The registered shares, in the order the apps are installed."""
    return list(_shares.values())


def person_export(person: Person) -> dict[str, Any]:
    """Everything the apps hold about a person, as JSON-ready data: what they add to the
    account (None without one), then every app's sections."""
    account: dict[str, Any] | None = None
    if person.account is not None:
        account = {}
        for share in shares():
            if share.account is not None:
                account.update(share.account(person.account))
    data: dict[str, Any] = {"account": account}
    for share in shares():
        if share.export is not None:
            data.update(share.export(person))
    return data


def person_traces(person: Person) -> set[str]:
    """The words that name the person: their addresses and what the apps add."""
    traces = set(person.emails)
    for share in shares():
        if share.traces is not None:
            traces.update(share.traces(person))
    return traces


def mentions() -> list[Mention]:
    return [mention for share in shares() for mention in share.mentions]


# The core app's share: the mail the hub sent (kept by the development outbox) and the
# change logs (the back office's and the records' revisions).


def _outbox_export(person: Person) -> dict[str, Any]:
    return {
        "emails_in_outbox": [
            {"to": m.to, "subject": m.subject, "sent_at": m.created_at.isoformat()}
            for e in sorted(person.emails)
            for m in OutboxMessage.objects.filter(to__icontains=e)
        ]
    }


CORE_SHARE = Share(
    export=_outbox_export,
    mentions=(
        Mention(OutboxMessage, ("to", "subject", "body", "html"), delete=True),
        Mention(LogEntry, ("object_repr", "change_message")),
        Mention(Revision, ("changes",)),
    ),
)
