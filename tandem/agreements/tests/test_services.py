import datetime

import pytest
from django.core import mail

from tandem.agreements import services
from tandem.agreements.models import (
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_PROMPTS,
    Agreement,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.selectors import agreement_get_for_workspace
from tandem.agreements.tests.factories import content, fill_in, sign_by_both, state
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition


def _notifications() -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(category="agreement")
        .order_by("pk")
        .values_list("user__email", "category", "title")
    )


def _agreement_events(relationship) -> list[tuple[str, str]]:
    return list(
        RelationshipEvent.objects.filter(relationship=relationship, kind__startswith="agreement")
        .order_by("pk")
        .values_list("kind", "summary")
    )


# --- starting from the template ----------------------------------------------------------


def test_first_read_shows_the_draft_from_the_template_and_programme_and_stores_nothing(pair):
    # given
    program = pair.cast.program
    program.cadence = "weekly"
    program.duration_months = 9
    program.save(update_fields=["cadence", "duration_months"])
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    detail = agreement_get_for_workspace(access=access)
    # then
    draft = detail.agreement
    assert draft.pk is None
    assert detail.status == "draft"
    assert (detail.kept_versions, detail.signed_by_me) == ([], False)
    assert (draft.cadence, draft.duration_months, draft.version) == ("weekly", 9, 1)
    assert (draft.channels, draft.goals_summary) == ([], "")
    assert draft.confidentiality == DEFAULT_CONFIDENTIALITY
    assert Agreement.objects.count() == 0
    assert AgreementTemplate.objects.count() == 0


def test_first_edit_stores_the_draft_it_was_based_on(pair):
    # given
    program = pair.cast.program
    program.cadence = "weekly"
    program.duration_months = 9
    program.save(update_fields=["cadence", "duration_months"])
    # when: an edit of the boundaries alone
    services.agreement_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        version=1,
        goals_summary="",
        cadence="weekly",
        channels=[],
        duration_months=9,
        mentor_expectations="",
        mentee_expectations="",
        boundaries="Fridays are free.",
    )
    # then: the draft's values, the edit on top, version 2; the template is still not stored
    agreement = Agreement.objects.get()
    assert agreement.relationship_id == pair.relationship.pk
    assert (agreement.cadence, agreement.duration_months, agreement.version) == ("weekly", 9, 2)
    assert (agreement.channels, agreement.goals_summary) == ([], "")
    assert agreement.boundaries == "Fridays are free."
    assert agreement.confidentiality == DEFAULT_CONFIDENTIALITY
    assert AgreementTemplate.objects.count() == 0


def test_the_agreement_copies_the_programme_statement_as_it_was(pair):
    # given
    services.agreement_template_update(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        **dict.fromkeys(DEFAULT_PROMPTS, ""),
        confidentiality_statement="Our own words.",
    )
    fill_in(pair.relationship, by=pair.mentor)
    # when: the managers change the statement later
    services.agreement_template_update(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        **dict.fromkeys(DEFAULT_PROMPTS, ""),
        confidentiality_statement="Newer words.",
    )
    # then
    assert Agreement.objects.get().confidentiality == "Our own words."


# --- the template ------------------------------------------------------------------------


def test_a_manager_edits_the_template(cast):
    # when
    template = services.agreement_template_update(
        actor=cast.manager,
        program_id=cast.program.pk,
        goals_prompt="  What do you want?  ",
        cadence_prompt="Monthly is fine.",
        channels_prompt="",
        duration_prompt="",
        mentor_expectations_prompt="",
        mentee_expectations_prompt="",
        boundaries_prompt="",
        confidentiality_statement="Private.",
    )
    # then
    stored = AgreementTemplate.objects.get()
    assert stored == template
    assert stored.program == cast.program
    assert stored.goals_prompt == "What do you want?"
    assert stored.cadence_prompt == "Monthly is fine."
    assert stored.channels_prompt == ""
    assert stored.confidentiality_statement == "Private."
    assert stored.updated_by == cast.manager


@pytest.mark.parametrize(
    ("actor_name", "error"),
    [
        ("outsider", NotFound),
        ("member", Forbidden),
        ("other_manager", Forbidden),
        ("mentor", Forbidden),
        ("mentee", Forbidden),
    ],
)
def test_only_managers_edit_the_template(cast, actor_name, error):
    # given
    before = state()
    # when
    with pytest.raises(error):
        services.agreement_template_update(
            actor=cast.by_name(actor_name),
            program_id=cast.program.pk,
            **dict.fromkeys(DEFAULT_PROMPTS, "x"),
            confidentiality_statement="x",
        )
    # then
    assert state() == before


def test_a_template_without_a_statement_or_too_long_names_the_fields(cast):
    # given
    before = state()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.agreement_template_update(
            actor=cast.admin,
            program_id=cast.program.pk,
            **{**dict.fromkeys(DEFAULT_PROMPTS, ""), "boundaries_prompt": "x" * 4001},
            confidentiality_statement="   ",
        )
    # then
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("boundaries_prompt", "Keep this to 4000 characters or fewer."),
        ("confidentiality_statement", "The confidentiality statement is needed."),
    ]
    assert state() == before


# --- editing -----------------------------------------------------------------------------


def test_either_party_edits_and_each_change_moves_the_version(pair):
    # when
    fill_in(pair.relationship, by=pair.mentee, channels=["chat", "video", "chat"])
    agreement = fill_in(
        pair.relationship,
        by=pair.mentor,
        version=2,
        channels=["chat", "video"],
        boundaries="Weekdays.",
    )
    # then
    stored = Agreement.objects.get()
    assert stored == agreement
    assert stored.version == 3
    assert stored.updated_by == pair.mentor
    assert stored.goals_summary == "Lead my first team with confidence."
    assert stored.channels == ["video", "chat"]
    assert (stored.cadence, stored.duration_months) == ("fortnightly", 6)
    assert stored.boundaries == "Weekdays."
    assert _agreement_events(pair.relationship) == [
        ("agreement_updated", f"{pair.mentee} updated the agreement"),
        ("agreement_updated", f"{pair.mentor} updated the agreement"),
    ]
    # Nobody had signed: nobody is asked to sign again.
    assert _notifications() == []


def test_an_edit_that_changes_nothing_writes_nothing(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    # when
    agreement = fill_in(pair.relationship, by=pair.mentor, version=2)
    # then
    assert agreement.version == 2
    assert state() == before


def test_repeated_edits_by_one_person_make_one_timeline_entry(pair):
    # when
    fill_in(pair.relationship, by=pair.mentee)
    fill_in(pair.relationship, by=pair.mentee, version=2, boundaries="Only Mondays.")
    fill_in(pair.relationship, by=pair.mentee, version=3, boundaries="Only Tuesdays.")
    # then
    assert Agreement.objects.get().version == 4
    assert _agreement_events(pair.relationship) == [
        ("agreement_updated", f"{pair.mentee} updated the agreement"),
    ]


def test_a_stale_version_is_a_conflict_naming_the_partner(pair):
    # given: the mentor edits while the mentee still looks at version 1
    fill_in(pair.relationship, by=pair.mentor)
    before = state()
    # when
    with pytest.raises(Conflict) as caught:
        fill_in(pair.relationship, by=pair.mentee, version=1, boundaries="Mine.")
    # then
    message = (
        f"{pair.mentor} changed the agreement meanwhile (it is now version 2). "
        "Reload it to see their changes before you edit or sign."
    )
    assert caught.value.detail == message
    assert [(e.field, e.message) for e in caught.value.errors] == [("version", message)]
    assert state() == before


def test_wrong_fields_are_named_and_nothing_changes(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.agreement_update(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            version=2,
            **content(
                cadence="daily",
                channels=["video", "carrier pigeon"],
                duration_months=0,
                boundaries="x" * 4001,
            ),
        )
    # then
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("boundaries", "Boundaries: keep this to 4000 characters or fewer."),
        ("cadence", "Meeting cadence: 'daily' is not one of weekly, fortnightly, monthly."),
        (
            "channels",
            "Preferred channels: 'carrier pigeon' not among video, phone, in_person, chat.",
        ),
        ("duration_months", "Duration must be a whole number of months from 1 to 60."),
    ]
    assert state() == before


@pytest.mark.parametrize(
    "actor_name", ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin"]
)
def test_only_the_pair_edits_or_signs(pair, actor_name):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    actor = pair.by_name(actor_name)
    # when / then
    with pytest.raises(NotFound):
        fill_in(pair.relationship, by=actor, version=2, boundaries="Theirs.")
    with pytest.raises(NotFound):
        services.agreement_sign(actor=actor, relationship_id=pair.relationship.pk, version=2)
    assert state() == before


def test_a_closed_relationship_keeps_its_agreement_as_a_record(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    before = state()
    # when / then
    with pytest.raises(Conflict):
        fill_in(pair.relationship, by=pair.mentee, version=2, boundaries="Later.")
    with pytest.raises(Conflict):
        services.agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=2)
    assert state() == before


# --- signing -----------------------------------------------------------------------------


def test_a_first_signature_asks_the_partner_to_sign(pair, django_capture_on_commit_callbacks):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    # then
    assert list(AgreementSignature.objects.values_list("user", "version")) == [(pair.mentor.pk, 2)]
    assert AgreementVersion.objects.count() == 0
    assert _notifications() == [
        (pair.mentee.email, "agreement", f"{pair.mentor} signed your mentoring agreement")
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([pair.mentee.email], f"{pair.mentor} signed your mentoring agreement")
    ]
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    assert agreement_get_for_workspace(access=access).status == "awaiting_partner"


def test_signing_twice_is_harmless(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    before = state()
    # when
    services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    # then
    assert state() == before


def test_both_signatures_keep_the_signed_version_and_tell_both(
    pair, django_capture_on_commit_callbacks
):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    services.agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=2)
    Notification.objects.all().delete()
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    # then
    kept = AgreementVersion.objects.get()
    signatures = {s.user_id: s.signed_at for s in AgreementSignature.objects.all()}
    assert kept.version == 2
    assert kept.content == {**content(), "confidentiality": DEFAULT_CONFIDENTIALITY}
    assert kept.mentor_signed_at == signatures[pair.mentor.pk]
    assert kept.mentee_signed_at == signatures[pair.mentee.pk]
    assert _agreement_events(pair.relationship)[-1] == (
        "agreement_signed",
        f"{pair.mentor} and {pair.mentee} signed the agreement (version 2)",
    )
    assert sorted(_notifications()) == sorted(
        [
            (pair.mentor.email, "agreement", "Your mentoring agreement is signed"),
            (pair.mentee.email, "agreement", "Your mentoring agreement is signed"),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pair.mentor.email, pair.mentee.email])
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    assert agreement_get_for_workspace(access=access).status == "signed"


def test_an_edit_after_signing_asks_both_to_sign_again_and_keeps_the_signed_version(pair):
    # given
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    Notification.objects.all().delete()
    # when
    fill_in(pair.relationship, by=pair.mentor, version=2, duration_months=12)
    # then
    agreement = Agreement.objects.get()
    assert agreement.version == 3
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    detail = agreement_get_for_workspace(access=access)
    assert (detail.status, detail.mentor_signed_at, detail.mentee_signed_at) == (
        "draft",
        None,
        None,
    )
    assert [kept.version for kept in detail.kept_versions] == [2]
    assert AgreementVersion.objects.get().content["duration_months"] == 6
    assert _notifications() == [
        (
            pair.mentee.email,
            "agreement",
            f"{pair.mentor} changed your mentoring agreement: please sign again",
        )
    ]
    assert _agreement_events(pair.relationship)[-1] == (
        "agreement_updated",
        f"{pair.mentor} updated the agreement",
    )
    # when: both sign the new version
    services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=3)
    services.agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=3)
    # then
    assert list(AgreementVersion.objects.values_list("version", flat=True)) == [3, 2]


def test_an_edit_after_a_half_signature_asks_the_partner_to_sign_again(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    services.agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=2)
    Notification.objects.all().delete()
    # when
    fill_in(pair.relationship, by=pair.mentee, version=2, boundaries="Changed.")
    # then
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    assert agreement_get_for_workspace(access=access).status == "draft"
    assert _notifications() == [
        (
            pair.mentor.email,
            "agreement",
            f"{pair.mentee} changed your mentoring agreement: please sign again",
        )
    ]


def test_signing_a_stale_version_is_a_conflict(pair):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    fill_in(pair.relationship, by=pair.mentee, version=2, boundaries="Changed.")
    before = state()
    # when
    with pytest.raises(Conflict) as caught:
        services.agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    # then
    assert caught.value.detail.startswith(f"{pair.mentee} changed the agreement meanwhile")
    assert state() == before


def test_an_empty_agreement_cannot_be_signed(pair):
    # given
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    agreement_get_for_workspace(access=access)
    before = state()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=1)
    # then
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("goals_summary", "Write what the mentee wants before signing."),
        ("channels", "Choose at least one channel before signing."),
    ]
    assert state() == before


def test_signature_times_are_aware(pair):
    # when
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    # then
    kept = AgreementVersion.objects.get()
    assert kept.mentor_signed_at.tzinfo is not None
    assert kept.created_at - kept.mentee_signed_at < datetime.timedelta(seconds=5)


def test_the_agreement_changes_the_relationship_last_activity(pair):
    # given
    pair.relationship.refresh_from_db()
    started = pair.relationship.last_activity_at
    # when
    fill_in(pair.relationship, by=pair.mentee)
    # then
    pair.relationship.refresh_from_db()
    assert started is None or pair.relationship.last_activity_at > started
    assert pair.relationship.last_activity_at == (
        RelationshipEvent.objects.filter(kind=RelationshipEventKind.AGREEMENT_UPDATED)
        .get()
        .created_at
    )
