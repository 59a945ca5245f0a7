"""Shared notes carry a version: an edit made from an older one (offline, or while the partner
typed) is refused with the current text, so neither person's words are lost."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.meetings import services
from tandem.meetings.models import Meeting
from tandem.meetings.tests.factories import schedule


def _save(pair, name, meeting, notes, base):
    return services.meeting_notes_update(
        actor=pair.by_name(name),
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes=notes,
        base_version=base,
    )


def _row(meeting):
    return Meeting.objects.values("notes", "notes_version", "notes_updated_by_id").get(
        pk=meeting.pk
    )


def test_an_edit_from_the_current_version_saves_and_counts(pair):
    # given
    meeting = schedule(pair.relationship, pair.mentor)
    # when
    _save(pair, "mentor", meeting, "First thoughts", 0)
    _save(pair, "mentee", meeting, "First thoughts\nMy answer", 1)
    # then
    assert _row(meeting) == {
        "notes": "First thoughts\nMy answer",
        "notes_version": 2,
        "notes_updated_by_id": pair.mentee.pk,
    }


def test_two_people_editing_from_one_version_the_second_sees_both_texts(pair):
    # given both opened the notes at version 0
    meeting = schedule(pair.relationship, pair.mentor)
    _save(pair, "mentor", meeting, "Mentor's line", 0)
    # when the mentee's edit (queued offline from version 0) arrives
    with pytest.raises(services.NotesConflict) as raised:
        _save(pair, "mentee", meeting, "Mentee's line", 0)
    # then nothing was overwritten and the mentee is handed the current text
    assert raised.value.current_notes == "Mentor's line"
    assert raised.value.current_version == 1
    assert raised.value.status == 409
    assert [error.field for error in raised.value.errors] == ["base_version"]
    assert _row(meeting) == {
        "notes": "Mentor's line",
        "notes_version": 1,
        "notes_updated_by_id": pair.mentor.pk,
    }
    # and once merged from the version they were shown, it saves
    _save(pair, "mentee", meeting, "Mentor's line\nMentee's line", 1)
    assert _row(meeting)["notes"] == "Mentor's line\nMentee's line"


@pytest.mark.parametrize("base", [0, 1, 7, None])
def test_sending_the_text_the_notes_already_hold_succeeds_and_changes_nothing(pair, base):
    # given (a retried request: the first one was saved, its answer lost)
    meeting = schedule(pair.relationship, pair.mentor)
    _save(pair, "mentor", meeting, "Agreed: weekly calls", 0)
    # when
    _save(pair, "mentee", meeting, "Agreed: weekly calls", base)
    # then
    assert _row(meeting) == {
        "notes": "Agreed: weekly calls",
        "notes_version": 1,
        "notes_updated_by_id": pair.mentor.pk,
    }


def test_without_a_base_version_the_edit_replaces_the_notes(pair):
    # given
    meeting = schedule(pair.relationship, pair.mentor)
    _save(pair, "mentor", meeting, "One", 0)
    # when
    _save(pair, "mentee", meeting, "Two", None)
    # then
    assert _row(meeting)["notes"] == "Two"
    assert _row(meeting)["notes_version"] == 2


DAYS = itertools.count(3)

EDITS = st.lists(
    st.tuples(st.sampled_from(["mentor", "mentee"]), st.sampled_from(["a", "b", "c", ""])),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_concurrent_edits_never_lose_a_text(pair, edits):
    """Each person edits from the version they last saw. Whatever the interleaving, every
    edit is either saved or refused with the text that won, and the version counts the
    changes that were saved."""
    # given (a fresh meeting per example: the pair fixture outlives them)
    meeting = schedule(pair.relationship, pair.mentor, days=next(DAYS))
    seen = {"mentor": 0, "mentee": 0}
    saved_changes = 0
    current = ""
    for name, text in edits:
        # when
        if seen[name] != saved_changes and text != current:
            with pytest.raises(services.NotesConflict) as refused:
                _save(pair, name, meeting, text, seen[name])
            # then the refused person is shown what is there now, and nothing changed
            assert refused.value.current_notes == current
            seen[name] = refused.value.current_version
            continue
        result = _save(pair, name, meeting, text, seen[name])
        if text != current:
            saved_changes += 1
        current = text
        seen[name] = result.notes_version
        assert result.notes == text
    row = _row(meeting)
    assert (row["notes"], row["notes_version"]) == (current, saved_changes)


@pytest.mark.parametrize(("base_offset", "expected"), [(0, 200), (-1, 409)])
def test_the_api_refuses_an_edit_from_an_old_version(pair, api_as, base_offset, expected):
    # given
    meeting = schedule(pair.relationship, pair.mentor)
    _save(pair, "mentor", meeting, "From the mentor", 0)
    url = f"relationships/{pair.relationship.pk}/meetings/{meeting.pk}/notes"
    # when
    response = api_as(pair.mentee).put(url, {"notes": "Mine", "base_version": 1 + base_offset})
    # then
    assert response.status_code == expected
    if expected == 200:
        assert (response.json()["notes"], response.json()["notes_version"]) == ("Mine", 2)
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == ["base_version"]
        assert _row(meeting)["notes"] == "From the mentor"
