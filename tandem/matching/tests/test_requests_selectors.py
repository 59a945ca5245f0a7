"""A mentee's suggestions: only mentors who may take them, best first, with score and reasons."""

import pytest

from tandem.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from tandem.matching.models import MatchingSettings, PairRuleKind, SuggestionDecline
from tandem.matching.requests import selectors
from tandem.matching.requests.services import match_request_withdraw
from tandem.matching.tests.factories import PairRuleFactory, enrol_person
from tandem.matching.tests.requests_world import ask, mentor_in, skills
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.participants.services import participant_set_accepting
from tandem.programs.models import ProgramStatus
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.services import relationship_propose


def _suggested(cast) -> list[str]:
    found = selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)
    return [s.mentor.user.first_name for s in found.suggestions]


@pytest.fixture
def pool(cast):
    """The cast's mentee wants Python, Rust and Go; five mentors offer 3, 2, 1, 0 of them."""
    wanted = skills(cast.program, "Python", "Rust", "Go")
    cast.mentee.profile.skills_wanted.set(wanted)
    cast.mentor_participant.delete()  # the cast's mentor has no profile worth ranking
    return {
        name: mentor_in(cast.program, name, offers=wanted[:count])
        for name, count in (("Ada", 3), ("Bo", 2), ("Cy", 1), ("Di", 0))
    }


def test_suggestions_are_ranked_best_first_with_the_engines_score_and_reasons(cast, pool):
    # when
    found = selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)
    # then
    assert [s.mentor.pk for s in found.suggestions] == [
        pool[name].pk for name in ("Ada", "Bo", "Cy", "Di")
    ]
    scores = [s.score for s in found.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]
    ada = found.suggestions[0]
    expected = selectors.pair_explanation(mentee=cast.mentee_participant, mentor=pool["Ada"])
    # the reasons are said to the mentee reading them
    assert (ada.score, ada.reasons) == (
        round(expected.score, 2),
        [
            reason.replace(f"skills {cast.mentee.short_name} wants", "skills you want")
            for reason in expected.reasons
        ],
    )
    assert ada.contributions == {str(k): v for k, v in expected.contributions.items()}
    assert sum(ada.contributions.values()) == pytest.approx(expected.score)
    assert ada.reasons[0].startswith("Covers 3 of the 3 skills")
    assert (found.mentee.pk, found.open_requests) == (cast.mentee_participant.pk, [])


def test_suggestions_show_as_many_as_the_programme_says(cast, pool):
    # given
    MatchingSettings.objects.create(program=cast.program, suggestions_shown=2)
    # when / then
    assert _suggested(cast) == ["Ada", "Bo"]


def test_paused_full_and_departed_mentors_are_not_suggested(cast, pool):
    # given Ada paused, Bo full, Cy left the programme
    participant_set_accepting(
        actor=pool["Ada"].user, participant_id=pool["Ada"].pk, accepting=False
    )
    for _ in range(2):
        relationship_propose(mentor=pool["Bo"], mentee=enrol_person(cast.program), source="manual")
    Participant.objects.filter(pk=pool["Cy"].pk).update(status=ParticipantStatus.WITHDRAWN)
    # when / then
    assert _suggested(cast) == ["Di"]


def test_forbidden_pairs_are_never_suggested(cast, pool):
    # given Ada declined this mentee for good, a manager excluded Bo, Cy manages the mentee
    SuggestionDecline.objects.create(mentor=pool["Ada"], mentee=cast.mentee_participant)
    PairRuleFactory(mentor=pool["Bo"], mentee=cast.mentee_participant, kind=PairRuleKind.EXCLUDE)
    profile = cast.mentee.profile
    profile.manager = pool["Cy"].user
    profile.save(update_fields=["manager"])
    # when / then
    assert _suggested(cast) == ["Di"]


def test_a_mentor_paired_before_is_not_suggested_again(cast, pool):
    # given an ended relationship with Ada (places given back)
    relationship = relationship_propose(
        mentor=pool["Ada"], mentee=cast.mentee_participant, source="manual"
    )
    Relationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    Participant.objects.filter(pk__in=[pool["Ada"].pk, cast.mentee_participant.pk]).update(
        matched_count=0
    )
    # when / then
    assert _suggested(cast) == ["Bo", "Cy", "Di"]


def test_suggestions_mark_the_mentors_already_asked(cast, pool):
    # given
    asked = ask(cast.mentee_participant, pool["Bo"])
    withdrawn = ask(cast.mentee_participant, pool["Cy"])
    match_request_withdraw(actor=cast.mentee, request_id=withdrawn.pk)
    # when
    found = selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)
    # then
    marks = {s.mentor.user.first_name: s.open_request for s in found.suggestions}
    assert marks == {"Ada": None, "Bo": asked, "Cy": None, "Di": None}
    assert found.open_requests == [asked]


def test_no_mentor_available_is_an_empty_list(cast, pool):
    # given every mentor paused
    for mentor in pool.values():
        participant_set_accepting(actor=mentor.user, participant_id=mentor.pk, accepting=False)
    # when
    found = selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)
    # then
    assert found.suggestions == []


def test_only_enrolled_mentees_get_suggestions(cast):
    # when / then
    for actor in (cast.mentor, cast.member, cast.manager):
        with pytest.raises(Forbidden):
            selectors.suggestion_list_for_mentee(actor=actor, program=cast.program)


def test_a_mentee_with_a_mentor_gets_no_suggestions(cast):
    # given
    relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    # when / then
    with pytest.raises(Conflict, match=r"You already have a mentor in Leadership cohort\."):
        selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)


def test_no_suggestions_when_the_programme_is_archived(cast):
    # given
    cast.program.status = ProgramStatus.ARCHIVED
    cast.program.save(update_fields=["status"])
    # when / then
    with pytest.raises(DomainError, match="Leadership cohort is not running"):
        selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)


def test_the_programme_may_require_a_shared_language(cast):
    # given a rule that a pair must share a language, and a mentor who speaks none of hers
    MatchingSettings.objects.create(program=cast.program, rules={"require_shared_language": True})
    profile = cast.mentee.profile
    profile.languages = ["English"]
    profile.save(update_fields=["languages"])
    french = mentor_in(cast.program, "Flo", languages=["French"])
    english = mentor_in(cast.program, "Eli", languages=["English"])
    # when
    found = _suggested(cast)
    # then
    assert found == ["Eli"]
    assert english.role == ParticipantRole.MENTOR
    # and asking the other one anyway is refused, saying why
    with pytest.raises(InvalidInput) as refused:
        ask(cast.mentee_participant, french)
    assert refused.value.detail == "You cannot ask Flo Mentor: no language in common."
