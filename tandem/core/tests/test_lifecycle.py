"""The lifecycle helper over random tables: it allows exactly the table's rows, applies them,
and refuses everything else with a Conflict naming the current status and what is possible."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.errors import Conflict, FieldError
from tandem.core.lifecycle import Lifecycle, Move, Refused

STATUSES = ["draft", "open", "paused", "closed", "gone"]
VERBS = ["open", "pause", "resume", "close", "drop", "edit"]

statuses = st.sampled_from(STATUSES)
verbs = st.sampled_from(VERBS)
moves = st.builds(Move, statuses, verbs, statuses)
tables = st.lists(moves, unique=True, max_size=20)


def _deterministic(rows: list[Move]) -> list[Move]:
    # Keep one target per (source, verb), as most domain tables have.
    seen: dict[tuple[str, str], Move] = {}
    for row in rows:
        seen.setdefault((row.source, row.verb), row)
    return list(seen.values())


@given(tables, statuses, verbs)
def test_a_move_is_allowed_exactly_when_the_table_has_it(rows, status, verb):
    # given a table
    lifecycle = Lifecycle("thing", rows)
    # when asked about any status and verb
    allowed = lifecycle.allowed(status, verb)
    # then the answer is the table's
    assert allowed == any(m.source == status and m.verb == verb for m in rows)


@given(tables.map(_deterministic), statuses, verbs)
def test_apply_returns_the_row_or_refuses_naming_the_status_and_the_moves(rows, status, verb):
    # given a deterministic table with labels
    labels = {s: s.upper() for s in STATUSES}
    lifecycle = Lifecycle("thing", rows, labels=labels)
    expected = [m for m in rows if m.source == status and m.verb == verb]
    possible = list(dict.fromkeys(m.verb for m in rows if m.source == status))
    if expected:
        # when the move is in the table, then apply gives exactly that row
        assert lifecycle.apply(status, verb) == expected[0]
        return
    # when it is not, then a Conflict names the current status (as labelled) and every verb
    # possible from it, in the table's order
    with pytest.raises(Conflict) as caught:
        lifecycle.apply(status, verb)
    assert caught.value.status == 409
    assert caught.value.detail == (
        f"This thing is {status}, so '{verb}' is not possible; "
        f"possible now: {', '.join(possible) or 'nothing'}."
    )
    assert caught.value.errors == []


@given(tables, statuses)
def test_what_is_possible_now_is_the_tables_rows_from_that_status_in_order(rows, status):
    lifecycle = Lifecycle("thing", rows)
    from_here = [m for m in rows if m.source == status]
    assert lifecycle.moves_from(status) == from_here
    assert lifecycle.verbs_from(status) == list(dict.fromkeys(m.verb for m in from_here))
    assert lifecycle.targets_from(status) == list(dict.fromkeys(m.target for m in from_here))


@given(tables, verbs, statuses)
def test_sources_of_a_verb_are_every_row_it_starts_from(rows, verb, target):
    lifecycle = Lifecycle("thing", rows)
    assert lifecycle.sources_of(verb) == list(
        dict.fromkeys(m.source for m in rows if m.verb == verb)
    )
    assert lifecycle.sources_of(verb, target) == list(
        dict.fromkeys(m.source for m in rows if m.verb == verb and m.target == target)
    )


@given(tables, statuses, statuses)
def test_a_table_keyed_by_from_and_to_applies_and_refuses_alike(rows, status, target):
    # given a table where each (from, to) has one verb
    seen: dict[tuple[str, str], Move] = {}
    for row in rows:
        seen.setdefault((row.source, row.target), row)
    rows = list(seen.values())
    lifecycle = Lifecycle("thing", rows, field="status")
    match = [m for m in rows if m.source == status and m.target == target]
    if match:
        assert lifecycle.verb_for(status, target) == match[0].verb
        assert lifecycle.apply_to(status, target) == match[0]
        return
    assert lifecycle.verb_for(status, target) is None
    with pytest.raises(Conflict) as caught:
        lifecycle.apply_to(status, target)
    possible = list(dict.fromkeys(m.verb for m in rows if m.source == status))
    assert caught.value.detail == (
        f"This thing is {status}, so becoming {target} is not possible; "
        f"possible now: {', '.join(possible) or 'nothing'}."
    )
    # with a field, the Conflict also says the status on it
    assert caught.value.errors == [FieldError("status", f"The thing is '{status}'.")]


@given(tables, statuses, verbs, statuses)
def test_a_tables_own_refusal_gets_the_status_the_ask_and_the_moves_possible(
    rows, status, verb, target
):
    rows = [m for m in rows if m.source != status or m.verb != verb]
    seen_calls: list[tuple[str, str, str | None, list[Move], str]] = []

    def refusal(refused: Refused) -> str:
        seen_calls.append(
            (refused.status, refused.verb, refused.target, list(refused.possible), refused.subject)
        )
        return "no"

    lifecycle = Lifecycle("thing", rows, refusal=refusal)
    with pytest.raises(Conflict) as caught:
        lifecycle.apply(status, verb, target, subject="'Cohort A'")
    assert caught.value.detail == "no"
    assert seen_calls == [
        (status, verb, target, [m for m in rows if m.source == status], "'Cohort A'")
    ]


@given(statuses, verbs, st.lists(statuses, min_size=2, max_size=2, unique=True))
def test_a_verb_with_several_targets_needs_the_target_named(status, verb, targets):
    lifecycle = Lifecycle("thing", [Move(status, verb, t) for t in targets])
    with pytest.raises(ValueError, match="name the target"):
        lifecycle.apply(status, verb)
    for target in targets:
        assert lifecycle.apply(status, verb, target) == Move(status, verb, target)


@given(st.dictionaries(verbs, st.tuples(st.frozensets(statuses), statuses)))
def test_a_table_written_by_action_is_the_same_rows(actions):
    lifecycle = Lifecycle.from_actions("thing", actions)
    assert set(lifecycle.moves) == {
        Move(source, verb, target)
        for verb, (sources, target) in actions.items()
        for source in sources
    }


def test_a_table_that_lists_a_move_twice_is_refused_when_written():
    with pytest.raises(ValueError, match="lists a move twice"):
        Lifecycle("thing", [("a", "go", "b"), ("a", "go", "b")])
