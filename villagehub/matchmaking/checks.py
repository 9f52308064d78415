"""An independent check of a meeting schedule, written apart from the scheduler.

It knows nothing of how a plan was made: it takes the slots (with their breaks), the
number of tables, each person's available slots, the requests (with their two people and
status) and the meetings placed, and lists every rule a schedule breaks. An empty list is
a schedule without conflicts.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Placed:
    request: int
    slot: int
    table: int


def schedule_problems(
    *,
    slots: Mapping[int, bool],
    tables: int,
    availability: Mapping[int, Iterable[int]],
    requests: Mapping[int, tuple[int, int, bool]],
    meetings: Iterable[Placed],
) -> list[str]:
    """`slots`: slot id -> is a break; `requests`: id -> (person, person, is accepted)."""
    problems = []
    meetings = list(meetings)
    free = {person: set(chosen) for person, chosen in availability.items()}
    for request, count in Counter(m.request for m in meetings).items():
        if count > 1:
            problems.append(f"request {request} is placed {count} times")
    for seat, count in Counter((m.slot, m.table) for m in meetings).items():
        if count > 1:
            problems.append(f"table {seat[1]} holds {count} meetings in slot {seat[0]}")
    people_in_slot: Counter = Counter()
    for meeting in meetings:
        if meeting.request not in requests:
            problems.append(f"meeting of unknown request {meeting.request}")
            continue
        a, b, accepted = requests[meeting.request]
        if not accepted:
            problems.append(f"request {meeting.request} is placed but not accepted")
        if meeting.slot not in slots:
            problems.append(f"request {meeting.request} is in unknown slot {meeting.slot}")
        elif slots[meeting.slot]:
            problems.append(f"request {meeting.request} is placed in break {meeting.slot}")
        if not 1 <= meeting.table <= tables:
            problems.append(f"request {meeting.request} is at missing table {meeting.table}")
        for person in (a, b):
            if meeting.slot not in free.get(person, set()):
                problems.append(
                    f"person {person} is not available in slot {meeting.slot} "
                    f"(request {meeting.request})"
                )
            people_in_slot[person, meeting.slot] += 1
    for (person, slot), count in people_in_slot.items():
        if count > 1:
            problems.append(f"person {person} has {count} meetings in slot {slot}")
    return problems
