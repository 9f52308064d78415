from datetime import timedelta

from villagehub.events.tests.factories import event_make, register
from villagehub.matchmaking import services
from villagehub.matchmaking.models import Matchmaking, MatchProfile


def matchmaking_make(*, slots: int = 3, tables: int = 2, breaks=(), **event_fields) -> Matchmaking:
    """A workshop with one-to-one meetings: `slots` half-hour slots from the start (the
    positions in `breaks` are breaks) and `tables` tables."""
    event = event_make(kind="workshop", capacity=None, **event_fields)
    matchmaking = services.matchmaking_configure(event=event, is_open=True, tables=tables)
    for i in range(slots):
        start = event.starts_at + timedelta(minutes=30 * i)
        services.slot_add(
            matchmaking=matchmaking,
            starts_at=start,
            ends_at=start + timedelta(minutes=25),
            is_break=i in breaks,
        )
    return matchmaking


def profile_make(matchmaking: Matchmaking, n: int | str, *, slots=None, **fields) -> MatchProfile:
    registration, _ = register(matchmaking.event, n, **fields)
    values = {
        "organisation": fields.get("organisation", f"Organisation {n}"),
        "offers": "Sensors for village halls",
        "needs": "A pilot town",
    }
    return services.profile_save(
        matchmaking=matchmaking,
        registration=registration,
        slots=list(matchmaking.slots.filter(is_break=False)) if slots is None else slots,
        **values,
    )
