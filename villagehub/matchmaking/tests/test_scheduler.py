"""The scheduler against the independent checker, on hand-made and random small instances."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from villagehub.matchmaking.checks import Placed, schedule_problems
from villagehub.matchmaking.scheduler import Problem, Request, schedule


def _problems(problem: Problem, placements, breaks=frozenset()) -> list[str]:
    slots = dict.fromkeys(problem.slots, False) | dict.fromkeys(breaks, True)
    return schedule_problems(
        slots=slots,
        tables=problem.tables,
        availability=problem.availability,
        requests={r.id: (r.a, r.b, True) for r in problem.requests},
        meetings=[Placed(r, s, t) for r, (s, t) in placements.items()],
    )


def _brute_force_best(problem: Problem) -> int:
    """The best weighted count by trying every choice (tiny instances only)."""
    best = 0

    def walk(index, used_people, per_slot, total):
        nonlocal best
        best = max(best, total)
        if index == len(problem.requests):
            return
        request = problem.requests[index]
        walk(index + 1, used_people, per_slot, total)
        if request.a == request.b:
            return
        for slot in problem.slots:
            if (
                slot in problem.availability[request.a]
                and slot in problem.availability[request.b]
                and (request.a, slot) not in used_people
                and (request.b, slot) not in used_people
                and per_slot.get(slot, 0) < problem.tables
            ):
                walk(
                    index + 1,
                    used_people | {(request.a, slot), (request.b, slot)},
                    {**per_slot, slot: per_slot.get(slot, 0) + 1},
                    total + request.weight,
                )

    walk(0, frozenset(), {}, 0)
    return best


def test_schedule_keeps_people_in_one_place_and_fills_tables():
    problem = Problem(
        slots=(1, 2),
        tables=1,
        availability={10: frozenset({1, 2}), 11: frozenset({1, 2}), 12: frozenset({2})},
        requests=(Request(1, 10, 11, 1), Request(2, 10, 12, 3), Request(3, 11, 12, 1)),
    )
    plan = schedule(problem)
    assert plan.status == "OPTIMAL"
    # 12 is free only in slot 2: the high-priority request 2 takes it; 1 goes to slot 1.
    assert plan.placements == {2: (2, 1), 1: (1, 1)}
    assert (plan.objective, plan.bound) == (4, 4)
    assert _problems(problem, plan.placements) == []


def test_replanning_keeps_unaffected_meetings_in_place():
    availability = {p: frozenset({1, 2, 3}) for p in range(1, 7)}
    first = Problem(
        slots=(1, 2, 3),
        tables=2,
        availability=availability,
        requests=(Request(1, 1, 2), Request(2, 3, 4), Request(3, 5, 6), Request(4, 1, 3)),
    )
    plan = schedule(first)
    assert len(plan.placements) == 4
    # Request 2 is cancelled; request 5 arrives late.
    second = Problem(
        slots=(1, 2, 3),
        tables=2,
        availability=availability,
        requests=(Request(1, 1, 2), Request(3, 5, 6), Request(4, 1, 3), Request(5, 2, 4)),
        previous=plan.placements,
    )
    replan = schedule(second)
    for request_id in (1, 3, 4):
        assert replan.placements[request_id] == plan.placements[request_id]
    assert 5 in replan.placements
    assert (replan.kept, replan.moved) == (3, 0)
    assert _problems(second, replan.placements) == []


def test_replanning_moves_a_meeting_whose_slot_is_no_longer_free():
    first = Problem(
        slots=(1, 2),
        tables=1,
        availability={1: frozenset({1, 2}), 2: frozenset({1, 2})},
        requests=(Request(1, 1, 2),),
        previous={1: (1, 1)},
    )
    second = Problem(
        slots=first.slots,
        tables=1,
        availability={1: frozenset({2}), 2: frozenset({1, 2})},
        requests=first.requests,
        previous={1: (1, 1)},
    )
    assert schedule(first).placements == {1: (1, 1)}
    plan = schedule(second)
    assert plan.placements == {1: (2, 1)}
    assert plan.moved == 1


def test_checker_finds_every_kind_of_conflict():
    problems = schedule_problems(
        slots={1: False, 2: True},
        tables=1,
        availability={1: {1}, 2: {1}, 3: {1, 2}},
        requests={1: (1, 2, True), 2: (1, 3, True), 3: (2, 3, False)},
        meetings=[Placed(1, 1, 1), Placed(2, 1, 1), Placed(3, 2, 2)],
    )
    assert problems == [
        "table 1 holds 2 meetings in slot 1",
        "request 3 is placed but not accepted",
        "request 3 is placed in break 2",
        "request 3 is at missing table 2",
        "person 2 is not available in slot 2 (request 3)",
        "person 1 has 2 meetings in slot 1",
    ]


@st.composite
def instances(draw):
    people = draw(st.integers(2, 6))
    slots = tuple(range(1, draw(st.integers(1, 3)) + 1))
    tables = draw(st.integers(1, 2))
    availability = {
        p: frozenset(draw(st.sets(st.sampled_from(slots), max_size=len(slots))))
        for p in range(people)
    }
    pairs = [(a, b) for a in range(people) for b in range(a + 1, people)]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=7))
    requests = tuple(
        Request(i + 1, a, b, draw(st.integers(1, 3))) for i, (a, b) in enumerate(chosen)
    )
    return Problem(slots=slots, tables=tables, availability=availability, requests=requests)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_random_instances_are_conflict_free_optimal_and_replan_without_moves(problem, rnd):
    plan = schedule(problem, time_limit=5)
    assert plan.status == "OPTIMAL"
    assert _problems(problem, plan.placements) == []
    assert plan.objective == plan.bound == _brute_force_best(problem)
    assert plan.objective == sum(r.weight for r in problem.requests if r.id in plan.placements)

    survivors = tuple(r for r in problem.requests if rnd.random() < 0.7)
    people = sorted(problem.availability)
    late = tuple(Request(100 + i, *rnd.sample(people, 2), rnd.randint(1, 3)) for i in range(2))
    again = Problem(
        slots=problem.slots,
        tables=problem.tables,
        availability=problem.availability,
        requests=survivors + late,
        previous=dict(plan.placements),
    )
    replan = schedule(again, time_limit=5)
    assert _problems(again, replan.placements) == []
    for request in survivors:
        if request.id in plan.placements:
            assert replan.placements[request.id] == plan.placements[request.id]
    assert replan.moved == 0


def test_a_larger_random_instance_has_no_conflicts():
    rnd = random.Random(7)
    slots = tuple(range(1, 7))
    availability = {p: frozenset(s for s in slots if rnd.random() < 0.7) for p in range(40)}
    requests = tuple(Request(i, *rnd.sample(range(40), 2), rnd.randint(1, 3)) for i in range(150))
    problem = Problem(slots=slots, tables=8, availability=availability, requests=requests)
    plan = schedule(problem, time_limit=5)
    assert _problems(problem, plan.placements) == []
    assert len(plan.placements) <= 6 * 8
    assert plan.objective <= plan.bound
    assert plan.objective >= 0.99 * plan.bound
