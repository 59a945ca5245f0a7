"""Directory groups drive who may enrol: a programme naming groups takes their members (and
anyone a manager invited); one naming none takes everyone. The list of programmes a person may
join and the enrolment service always agree, over a family of memberships."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import DomainError, InvalidInput
from tandem.participants import selectors, services
from tandem.participants.models import Participant, ParticipantRole
from tandem.people.models import DirectoryGroup, DirectoryGroupMember
from tandem.programs import services as program_services
from tandem.programs.models import ProgramAccess

GROUPS = ("Engineering", "Mentoring pilot", "Sales")


def _groups(org) -> dict[str, DirectoryGroup]:
    return {
        name: DirectoryGroup.objects.get_or_create(organization=org, display_name=name)[0]
        for name in GROUPS
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    eligible=st.sets(st.sampled_from(GROUPS)),
    member_of=st.sets(st.sampled_from(GROUPS)),
    access=st.sampled_from(list(ProgramAccess)),
    invited=st.booleans(),
)
def test_the_list_and_the_service_agree_on_who_may_enrol(
    cast, eligible, member_of, access, invited
):
    from django.db import transaction

    with transaction.atomic():
        # given a programme restricted to some groups, and a person in some groups
        groups = _groups(cast.org)
        program_services.program_update(
            actor=cast.manager,
            program=cast.program,
            access=access,
            eligible_group_ids=[groups[name].pk for name in eligible],
        )
        person = UserFactory(organization=cast.org)
        for name in member_of:
            DirectoryGroupMember.objects.create(group=groups[name], user=person)
        # (a manager's invitation is what an invitation-only programme is; elsewhere adding
        # someone enrols them outright)
        invited = invited and access == ProgramAccess.INVITATION
        if invited:
            services.participant_add(
                actor=cast.manager,
                program_id=cast.program.pk,
                email=person.email,
                role=ParticipantRole.MENTEE,
            )
        if access == ProgramAccess.INVITATION:
            may = invited
        else:
            may = not eligible or bool(eligible & member_of)
        # when
        listed = (
            selectors.program_list_open_to_member(actor=person).filter(pk=cast.program.pk).exists()
        )
        refusal: DomainError | None = None
        try:
            services.participant_enroll(
                actor=person,
                program_id=cast.program.pk,
                role=ParticipantRole.MENTEE,
                motivation="To grow",
            )
        except DomainError as raised:
            refusal = raised
        enrolled = refusal is None
        if refusal is not None and access != ProgramAccess.INVITATION:
            # the refusal says why, naming the groups
            assert "directory does not list you" in refusal.detail
            assert all(name in refusal.detail for name in eligible)
        # then the list shows the programme exactly when the service takes the person
        assert listed == may
        assert enrolled == may
        assert Participant.objects.filter(user=person, program=cast.program).exists() == (
            may or invited
        )
        assert not isinstance(refusal, InvalidInput)
        transaction.set_rollback(True)


def test_groups_of_another_organisation_are_refused_by_id(cast):
    # given a group of Globex
    theirs = DirectoryGroup.objects.create(organization=cast.other_org, display_name="Globex")
    ours = _groups(cast.org)["Sales"]
    # when / then
    with pytest.raises(InvalidInput) as caught:
        program_services.program_update(
            actor=cast.manager, program=cast.program, eligible_group_ids=[ours.pk, theirs.pk]
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        (
            "eligible_group_ids",
            f"These ids are not directory groups of your organisation: {theirs.pk}.",
        )
    ]
    assert not cast.program.eligible_groups.exists()


def test_the_api_sets_and_shows_the_groups_and_a_copy_keeps_them(cast, api_as):
    groups = _groups(cast.org)
    client = api_as(cast.manager)
    response = client.patch(
        f"/api/v1/programs/{cast.program.pk}",
        {"eligible_group_ids": [groups["Sales"].pk, groups["Engineering"].pk]},
    )
    assert response.status_code == 200, response.content
    assert sorted(g["name"] for g in response.json()["eligible_groups"]) == [
        "Engineering",
        "Sales",
    ]
    copy = program_services.program_duplicate(actor=cast.manager, program=cast.program)
    assert sorted(copy.eligible_groups.values_list("display_name", flat=True)) == [
        "Engineering",
        "Sales",
    ]
    # and an empty list opens it to everyone again
    response = client.patch(f"/api/v1/programs/{cast.program.pk}", {"eligible_group_ids": []})
    assert response.json()["eligible_groups"] == []


def test_the_settings_page_offers_the_groups_only_when_there_are_some(cast, client):
    from django.urls import reverse

    client.force_login(cast.manager)
    url = reverse("programs:edit", args=[cast.program.pk])
    assert "Who may enrol" not in client.get(url).content.decode()
    groups = _groups(cast.org)
    page = client.get(url).content.decode()
    assert "Who may enrol" in page
    for name in GROUPS:
        assert name in page
    del groups
