"""The dashboard pages, their downloads and the drill-down: who may open them, that the page,
the API and the downloads show the same numbers, what is withheld, and flat query counts."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.analytics import tables
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory

PAGE_STATUS = {
    "anonymous": 302,
    "outsider": 404,
    "member": 403,
    "mentee": 403,
    "mentor": 403,
    "other_manager": 403,
    "manager": 200,
    "admin": 200,
}


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def program_urls(program_id):
    return [
        reverse("analytics:program", args=[program_id]),
        reverse("analytics:program_pairs", args=[program_id]) + "?figure=signed",
        reverse("analytics:program_export", args=[program_id, "funnel", "csv"]),
        reverse("analytics:program_export", args=[program_id, "skills", "xlsx"]),
    ]


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_program_pages_are_for_its_managers_and_admins(cast, actor_name):
    client = client_for(cast.by_name(actor_name))
    for url in program_urls(cast.program.pk):
        response = client.get(url)
        assert response.status_code == PAGE_STATUS[actor_name], url


ROLLUP_STATUS = {
    "anonymous": 302,
    "outsider": 200,
    "member": 403,
    "mentee": 403,
    "mentor": 403,
    "other_manager": 200,
    "manager": 200,
    "admin": 200,
}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_rollup_pages_are_for_admins_and_managers_of_their_own_programmes(cast, actor_name):
    # given
    client = client_for(cast.by_name(actor_name))
    # when
    page = client.get(reverse("analytics:organization"))
    download = client.get(reverse("analytics:organization_export", args=["funnel", "csv"]))
    pairs = client.get(reverse("analytics:organization_pairs") + "?figure=matched")
    # then
    assert page.status_code == download.status_code == ROLLUP_STATUS[actor_name]
    assert pairs.status_code == ROLLUP_STATUS[actor_name]
    if page.status_code == 200:
        names = page.context["programs"]
        sees_program = actor_name in ("manager", "admin")
        assert (cast.program in names) is sees_program
        assert (cast.program.name in page.content.decode()) is sees_program


def _story(program):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = 6
    mentor.save(update_fields=["capacity"])
    pairs = []
    for index in range(6):
        relationship = h.pair(mentor, h.person(program), score=index / 6)
        if index < 4:
            h.sign(relationship, days=100)
        h.meeting(relationship, days=9 + index)
        pairs.append(relationship)
    analytics_refresh()
    return pairs


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(response):
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("table", list(tables.BUILDERS))
def test_page_api_and_downloads_show_the_same_numbers(cast, api_as, table):
    # given
    _story(cast.program)
    client = client_for(cast.manager)
    # when
    page = client.get(reverse("analytics:program", args=[cast.program.pk]))
    api = api_as(cast.manager).get(f"programs/{cast.program.pk}/analytics").json()
    as_csv = _csv(
        client.get(reverse("analytics:program_export", args=[cast.program.pk, table, "csv"]))
    )
    as_xlsx = _xlsx(
        client.get(reverse("analytics:program_export", args=[cast.program.pk, table, "xlsx"]))
    )
    # then: the page's table is the API's numbers, and both downloads hold exactly it
    shown = next(
        block["table"]
        for _, _, blocks in page.context["groups"]
        for block in blocks
        if block["table"].key == table
    )
    from_api = tables.BUILDERS[table](_dates(api))
    assert shown.rows == from_api.rows
    assert as_csv == [shown.header, *[["" if v is None else str(v) for v in r] for r in shown.rows]]
    assert as_xlsx == [shown.header, *shown.rows] if shown.rows else as_xlsx == [shown.header]


def _dates(api):
    """The API's JSON dates back as dates (the tables write them as ISO days)."""
    import datetime

    for week in api["engagement"]["weeks"]:
        week["week"] = datetime.date.fromisoformat(week["week"])
    for cohort in api["satisfaction"]["nps"]["cohorts"]:
        cohort["first_month"] = datetime.date.fromisoformat(cohort["first_month"])
        cohort["last_month"] = datetime.date.fromisoformat(cohort["last_month"])
    return api


def test_withheld_figures_say_why_on_the_page_in_the_api_and_in_the_download(cast, api_as):
    # given: four NPS answers in a month that has ended (below the group of five)
    pairs = _story(cast.program)
    for relationship in pairs[:4]:
        h.answer(relationship, kind="nps", days=40, number=10)
    client = client_for(cast.manager)
    # when
    page = client.get(reverse("analytics:program", args=[cast.program.pk]))
    api = api_as(cast.manager).get(f"programs/{cast.program.pk}/analytics").json()
    download = _csv(
        client.get(reverse("analytics:program_export", args=[cast.program.pk, "nps", "csv"]))
    )
    # then
    reason = "at least 5 people"
    assert reason in page.content.decode()
    assert api["satisfaction"]["nps"]["nps"] is None
    assert reason in api["satisfaction"]["nps"]["withheld"]
    assert download == [
        ["Cohort (months)", "People", "Answers", "NPS", "95% CI low", "95% CI high"]
    ]


def test_the_drill_down_lists_the_pairs_behind_the_figure_with_signals_only(cast):
    # given
    pairs = _story(cast.program)
    client = client_for(cast.manager)
    # when
    response = client.get(
        reverse("analytics:program_pairs", args=[cast.program.pk]) + "?figure=signed"
    )
    # then
    assert response.status_code == 200
    listed = {row.relationship.pk for row in response.context["rows"]}
    assert listed == {relationship.pk for relationship in pairs[:4]}
    assert all(row.agreement_signed for row in response.context["rows"])
    # and the dashboard's funnel links there
    page = client.get(reverse("analytics:program", args=[cast.program.pk]))
    assert "figure=signed" in page.content.decode()


def test_a_bad_filter_or_figure_is_400_naming_it_and_shows_no_figures(cast):
    client = client_for(cast.manager)
    page = client.get(reverse("analytics:program", args=[cast.program.pk]) + "?weeks=0")
    assert page.status_code == 400
    assert "weeks" in page.content.decode()
    assert page.context["data"] is None
    pairs = client.get(reverse("analytics:program_pairs", args=[cast.program.pk]) + "?figure=x")
    assert pairs.status_code == 400
    assert "figure" in pairs.content.decode()
    export = client.get(
        reverse("analytics:program_export", args=[cast.program.pk, "funnel", "csv"]) + "?role=boss"
    )
    assert export.status_code == 400
    assert "role" in export.content.decode()
    control = client.get(
        reverse("analytics:program", args=[cast.program.pk]) + "?location=Leeds%00"
    )
    assert control.status_code == 400
    assert "location" in control.content.decode()
    unknown = client.get(
        reverse("analytics:program_export", args=[cast.program.pk, "nothing", "csv"])
    )
    assert unknown.status_code == 404


def test_two_cohorts_side_by_side(cast):
    # given
    _story(cast.program)
    client = client_for(cast.manager)
    joined = h.NOW.date().isoformat()
    # when: everyone joined 200 days before h.NOW, i.e. before today; cohort B is empty
    response = client.get(
        reverse("analytics:program", args=[cast.program.pk])
        + f"?b_joined_from={joined}&b_joined_to=2099-01-01"
    )
    # then
    assert response.status_code == 200
    compare = response.context["compare"]
    rows = {row[0]: (row[1], row[2]) for row in compare.rows}
    assert rows["Matched"] == (6, 0)
    assert rows["Agreement signed"] == (4, 0)
    assert 'data-testid="compare"' in response.content.decode()


@pytest.mark.django_db
def test_the_page_takes_the_same_number_of_queries_for_5_and_50_pairs(cast):
    small = ProgramFactory(organization=cast.org, managers=[cast.manager])
    large = ProgramFactory(organization=cast.org, managers=[cast.manager])
    for program, size in ((small, 5), (large, 50)):
        mentor = h.person(program, role=ParticipantRole.MENTOR)
        mentor.capacity = size
        mentor.save(update_fields=["capacity"])
        for index in range(size):
            relationship = h.pair(mentor, h.person(program), score=index)
            h.meeting(relationship, days=10)
    analytics_refresh()
    client = client_for(cast.manager)
    client.get(reverse("analytics:organization"))
    counts = []
    for program in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("analytics:program", args=[program.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_says_when_the_funnel_was_worked_out(cast):
    client = client_for(cast.manager)
    url = reverse("analytics:program", args=[cast.program.pk])
    assert "has not been worked out yet" in client.get(url).content.decode()
    analytics_refresh()
    assert "Funnel worked out" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_pairs_list_takes_the_same_number_of_queries_for_5_and_50_pairs(cast):
    small = ProgramFactory(organization=cast.org, managers=[cast.manager])
    large = ProgramFactory(organization=cast.org, managers=[cast.manager])
    for program, size in ((small, 5), (large, 50)):
        mentor = h.person(program, role=ParticipantRole.MENTOR)
        mentor.capacity = size
        mentor.save(update_fields=["capacity"])
        for _ in range(size):
            relationship = h.pair(mentor, h.person(program))
            h.sign(relationship, days=30)
            h.meeting(relationship, days=10)
    client = client_for(cast.manager)
    client.get(reverse("analytics:organization"))
    counts = []
    for program in (small, large):
        url = reverse("analytics:program_pairs", args=[program.pk]) + "?figure=signed"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == (5 if program == small else 50)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_rollup_drills_into_the_pairs_of_the_managers_programmes_only(cast):
    # given: pairs in the manager's programme and in another one
    mine = _story(cast.program)
    other = ProgramFactory(organization=cast.org, managers=[cast.other_manager])
    theirs = _story(other)
    # when
    response = client_for(cast.manager).get(
        reverse("analytics:organization_pairs") + "?figure=signed"
    )
    admin = client_for(cast.admin).get(reverse("analytics:organization_pairs") + "?figure=signed")
    # then
    assert {row.relationship.pk for row in response.context["rows"]} == {
        relationship.pk for relationship in mine[:4]
    }
    assert {row.relationship.pk for row in admin.context["rows"]} == {
        relationship.pk for relationship in mine[:4] + theirs[:4]
    }
    page = client_for(cast.manager).get(reverse("analytics:organization"))
    assert reverse("analytics:organization_pairs") + "?" in page.content.decode()
