"""Places accepted meeting requests into time slots and at tables with OR-Tools CP-SAT.

The problem is plain data (no database): slots that can hold meetings (breaks left out by
the caller), a number of identical tables, each person's available slots, and the accepted
requests with their priority weight. One boolean per request and slot that both people
have free says "this meeting happens then"; a request is placed at most once, a person is
in at most one meeting per slot, and a slot holds at most as many meetings as there are
tables. The objective is the priority-weighted number of meetings placed.

Tables are identical, so a slot with at most `tables` meetings can always seat them: the
tables are given after the solve, keeping each kept meeting at its previous table, so the
model need not carry a variable per table.

Re-planning (`keep=True`) fixes every previous placement that is still valid (request
still accepted, slot still free for both, table still there): unaffected meetings never
move, and only the freed places and the new requests are decided. `keep=False` plans from
scratch. The search starts from a greedy plan (the previous placements, then the heaviest
requests first), so that even a run cut short by its time limit returns a good plan.
"""

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Request:
    id: int
    a: int
    b: int
    weight: int = 1


@dataclass(frozen=True)
class Problem:
    slots: tuple[int, ...]
    tables: int
    availability: Mapping[int, frozenset[int]]
    requests: tuple[Request, ...]
    # request id -> (slot, table) of the plan in force
    previous: Mapping[int, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Plan:
    placements: dict[int, tuple[int, int]]
    objective: int
    bound: int
    status: str
    seconds: float
    kept: int = 0
    moved: int = 0

    @property
    def gap_ratio(self) -> float:
        """Objective over proven bound (1.0: proven optimal)."""
        return 1.0 if self.bound <= 0 else self.objective / self.bound


def _kept_placements(problem: Problem) -> dict[int, tuple[int, int]]:
    """The previous placements that are still possible, at most one per (slot, table) and
    per person and slot."""
    requests = {r.id: r for r in problem.requests}
    slots = set(problem.slots)
    seats: set[tuple[int, int]] = set()
    busy: set[tuple[int, int]] = set()
    kept = {}
    for request_id, (slot, table) in sorted(problem.previous.items()):
        request = requests.get(request_id)
        if (
            request is None
            or slot not in slots
            or not 1 <= table <= problem.tables
            or slot not in problem.availability.get(request.a, ())
            or slot not in problem.availability.get(request.b, ())
            or (slot, table) in seats
            or (request.a, slot) in busy
            or (request.b, slot) in busy
        ):
            continue
        seats.add((slot, table))
        busy.update({(request.a, slot), (request.b, slot)})
        kept[request_id] = (slot, table)
    return kept


def schedule(
    problem: Problem, *, keep: bool = True, time_limit: float = 10.0, workers: int = 2
) -> Plan:
    started = time.monotonic()
    kept = _kept_placements(problem) if keep else {}
    model = cp_model.CpModel()
    slots = set(problem.slots)
    choices: dict[int, dict[int, cp_model.IntVar]] = {}
    by_person_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    objective = []
    for request in problem.requests:
        if request.a == request.b:
            continue
        common = (
            problem.availability.get(request.a, frozenset())
            & problem.availability.get(request.b, frozenset())
            & slots
        )
        if request.id in kept:
            common = {kept[request.id][0]}
        if not common:
            continue
        options = {slot: model.new_bool_var(f"x{request.id}_{slot}") for slot in sorted(common)}
        choices[request.id] = options
        model.add_at_most_one(options.values())
        for slot, var in options.items():
            by_person_slot[request.a, slot].append(var)
            by_person_slot[request.b, slot].append(var)
            by_slot[slot].append(var)
            objective.append(request.weight * var)
        if request.id in kept:
            model.add(options[kept[request.id][0]] == 1)
    for group in by_person_slot.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    for group in by_slot.values():
        if len(group) > problem.tables:
            model.add(sum(group) <= problem.tables)
    model.maximize(sum(objective))
    start = _greedy(problem, choices, kept if keep else _kept_placements(problem))
    for request_id, options in choices.items():
        for slot, var in options.items():
            model.add_hint(var, start.get(request_id) == slot)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Plan({}, 0, 0, solver.status_name(status), time.monotonic() - started)

    chosen = {
        request_id: slot
        for request_id, options in choices.items()
        for slot, var in options.items()
        if solver.boolean_value(var)
    }
    placements = _tables_assign(chosen, problem, kept)
    moved = sum(
        1
        for request_id, place in problem.previous.items()
        if request_id in placements and placements[request_id] != place
    )
    return Plan(
        placements=placements,
        objective=round(solver.objective_value),
        bound=round(solver.best_objective_bound),
        status=solver.status_name(status),
        seconds=time.monotonic() - started,
        kept=sum(1 for r, place in placements.items() if problem.previous.get(r) == place),
        moved=moved,
    )


def _greedy(
    problem: Problem, choices: dict[int, dict[int, object]], first: dict[int, tuple[int, int]]
) -> dict[int, int]:
    """A first plan to start the search from: the placements in `first` (the previous plan),
    then the other requests by falling weight, each in its earliest slot with room."""
    requests = {r.id: r for r in problem.requests}
    room = dict.fromkeys(problem.slots, problem.tables)
    busy: set[tuple[int, int]] = set()
    plan: dict[int, int] = {}

    def place(request: Request, slot: int) -> None:
        plan[request.id] = slot
        room[slot] -= 1
        busy.update({(request.a, slot), (request.b, slot)})

    for request_id, (slot, _table) in first.items():
        if request_id in choices and slot in choices[request_id]:
            place(requests[request_id], slot)
    for request in sorted(requests.values(), key=lambda r: (-r.weight, r.id)):
        if request.id in plan or request.id not in choices:
            continue
        for slot in choices[request.id]:
            if room[slot] and (request.a, slot) not in busy and (request.b, slot) not in busy:
                place(request, slot)
                break
    return plan


def _tables_assign(
    chosen: dict[int, int], problem: Problem, kept: dict[int, tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """Tables for the chosen slots: a meeting keeps its previous table when it stays in its
    slot and the table is free, the others take the lowest free tables."""
    placements: dict[int, tuple[int, int]] = {}
    taken: dict[int, set[int]] = defaultdict(set)
    for request_id, place in kept.items():
        placements[request_id] = place
        taken[place[0]].add(place[1])
    for request_id, slot in sorted(chosen.items()):
        if request_id in placements:
            continue
        previous = problem.previous.get(request_id)
        if (
            previous
            and previous[0] == slot
            and previous[1] not in taken[slot]
            and 1 <= previous[1] <= problem.tables
        ):
            placements[request_id] = previous
            taken[slot].add(previous[1])
    for request_id, slot in sorted(chosen.items()):
        if request_id in placements:
            continue
        table = next(t for t in range(1, problem.tables + 1) if t not in taken[slot])
        placements[request_id] = (slot, table)
        taken[slot].add(table)
    return placements
