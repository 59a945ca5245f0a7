"""The outcome summaries: a report computed from them is the report computed from the raw
tables (HR records, relationships, participants, promotions), figure for figure, on random
organisations; the refresh rewrites only what changed; the report says how fresh it is."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.outcomes import selectors, services
from tandem.outcomes.models import OutcomesSummaryState, PersonOutcomeSummary
from tandem.outcomes.tests.factories import hr_file, mentor_relationships, outcomes_organisation
from tandem.participants.models import Participant, ParticipantRole
from tandem.programs.tests.factories import ProgramFactory

MIN_GROUP = 5


def _random_organisation(rng: random.Random, sizes: list[int], overlap: int):
    """Programmes of the given mentee counts, one to three mentors each (mentoring one
    another's programmes' people too), `overlap` mentees of the first programme also in the
    second; HR records for most people (some mentors without), with terminations, several
    promotions and covariates drawn at random. Returns the admin and the programmes."""
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ORG_ADMIN)
    today = timezone.localdate()
    programs = [ProgramFactory(organization=organization) for _ in sizes]
    people = []
    first_mentees: list = []
    for number, (program, size) in enumerate(zip(programs, sizes, strict=True)):
        shared = first_mentees[:overlap] if number == 1 else []
        fresh = UserFactory.create_batch(max(size - len(shared), 0), organization=organization)
        if number == 0:
            first_mentees = fresh
        people.extend(fresh)
        mentees = shared + fresh
        rng.shuffle(mentees)
        for part in (mentees[: len(mentees) // 2], mentees[len(mentees) // 2 :]):
            if part:
                mentor_relationships(
                    program,
                    part,
                    started=[today - datetime.timedelta(days=rng.randint(-20, 800)) for _ in part],
                )
    mentors = [
        participant.user
        for participant in Participant.objects.filter(
            program__organization=organization, role=ParticipantRole.MENTOR
        ).select_related("user")
    ]
    others = UserFactory.create_batch(rng.randint(0, 15), organization=organization)
    rows = []
    for user in people + others + [m for m in mentors if rng.random() < 0.5]:
        if rng.random() < 0.1:
            continue  # no HR record
        hired = today - datetime.timedelta(days=rng.randint(100, 3000))
        terminated = None
        if rng.random() < 0.3:
            terminated = hired + datetime.timedelta(days=rng.randint(0, 2900))
            terminated = min(terminated, today)
        last = terminated or today
        promotions = sorted(
            {
                (hired + (last - hired) * rng.random()).isoformat()
                for _ in range(rng.choice((0, 0, 1, 2, 3)))
            }
        )
        rows.append(
            (
                user.email,
                hired,
                terminated,
                ";".join(promotions),
                rng.choice(("Sales", "Engineering", "")),
                rng.choice(("G2", "G3")),
                rng.choice(("London", "Leeds")),
            )
        )
    services.outcomes_import_commit(actor=admin, content=hr_file(rows))
    return admin, programs


def _report(admin, programs, *, sources, role, basis="matched"):
    query = selectors.OutcomesQuery(
        program_ids=tuple(program.pk for program in programs), role=role, basis=basis
    )
    report = selectors._compute_report(
        programs=programs,
        organization_id=admin.organization_id,
        query=query,
        as_of=selectors.as_of_date(),
        min_group=MIN_GROUP,
        sources=sources,
    )
    # NaN never equals itself: the reports are compared by what they print.
    return repr(selectors._with_roi(report, query))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(0, 16), min_size=1, max_size=3),
    overlap=st.integers(0, 6),
    seed=st.integers(0, 2**16),
)
@pytest.mark.django_db
def test_a_report_from_the_summaries_is_the_report_from_the_raw_tables(sizes, overlap, seed):
    # given a random organisation whose summaries were refreshed
    admin, programs = _random_organisation(random.Random(seed), sizes, overlap)
    services.outcomes_summary_refresh(organization_id=admin.organization_id)
    state = selectors.summary_state(organization_id=admin.organization_id)
    organization_id = admin.organization_id
    choices = [programs, *([program] for program in programs)]
    if len(programs) > 2:
        choices.append(programs[:2])
    for chosen in choices:
        for role in selectors.ROLES:
            # when the report is computed from the raw tables and from the summaries
            raw = _report(admin, chosen, sources=selectors._raw_sources(organization_id), role=role)
            summary = _report(
                admin, chosen, sources=selectors._summary_sources(organization_id, state), role=role
            )
            # then they are the same, figure for figure
            assert summary == raw
    # and the guard checked live (another minimum group than the refresh's) agrees too
    raw_sources = selectors._raw_sources(organization_id)
    summary_sources = selectors._summary_sources(organization_id, state)
    as_of_day = (selectors.as_of_date() - selectors.EPOCH).days
    for chosen in choices:
        ids = [program.pk for program in chosen]
        for role in selectors.ROLES:
            for min_group in (3, 4, 7):
                assert summary_sources.differs(ids, role, as_of_day, min_group) == (
                    raw_sources.differs(ids, role, as_of_day, min_group)
                )


def test_the_refresh_rewrites_only_what_changed_and_the_report_says_when(cast, api_as, client):
    # given an organisation with HR data whose summaries were refreshed once
    outcomes_organisation(cast, mentored=12, others=12)
    first = timezone.now() - datetime.timedelta(hours=2)
    written = services.outcomes_summary_refresh(organization_id=cast.org.pk, now=first)
    assert written == PersonOutcomeSummary.objects.filter(organization=cast.org).count() + (
        12  # one first-match row per mentee; the mentor has no HR record
        + 1
    )
    # when it is refreshed again with nothing changed
    second = (timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=0)
    again = services.outcomes_summary_refresh(organization_id=cast.org.pk, now=second)
    # then nothing is rewritten, and the summaries' last change stays the first refresh
    state = OutcomesSummaryState.objects.get(organization=cast.org)
    assert (again, state.refreshed_at, state.changed_at) == (0, second, first)
    # and the report says how fresh it is, on the API
    body = api_as(cast.admin).get("outcomes/report", {"program": cast.program.pk}).json()
    assert body["refreshed_at"] == second.isoformat().replace("+00:00", "Z")
    # and on the page
    client.force_login(cast.admin)
    page = client.get(reverse("outcomes:report"), {"program": cast.program.pk})
    assert "HR data and matches as of the last refresh" in page.content.decode()


def test_one_changed_record_rewrites_one_row(cast):
    # given refreshed summaries
    mentored, _ = outcomes_organisation(cast, mentored=6, others=6)
    services.outcomes_summary_refresh(organization_id=cast.org.pk)
    # when one person's termination is imported
    today = timezone.localdate()
    services.outcomes_import_commit(
        actor=cast.admin,
        content=hr_file(
            [(mentored[0].email, today - datetime.timedelta(days=2000), today, "", "", "", "")]
        ),
    )
    written = services.outcomes_summary_refresh(organization_id=cast.org.pk)
    # then one summary row was deleted and written again, with the new day
    assert written == 2
    assert PersonOutcomeSummary.objects.get(user=mentored[0]).terminated_on == today
