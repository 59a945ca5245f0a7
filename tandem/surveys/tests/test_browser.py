"""Browser journeys (Debian's chromium): a mentee answers a survey and the manager reads the
results, on a desktop and on a phone; a manager builds a survey from scratch with the
keyboard. Screenshots of every step under test-artifacts/screenshots/."""

import datetime
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.core.aggregates import current_period
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.models import Survey, SurveyInvitation, SurveyResponse, SurveyVersion
from tandem.surveys.services import response_submit
from tandem.surveys.tests.factories import defaults_of, invite
from tests.browser.fixtures import sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1280, 900), "phone": (375, 812)}


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """`open_page("phone")`: a fresh browser (own cookies) at that size; each checked for
    anything the Content-Security-Policy refused."""
    opened = []

    def open_one(size: str) -> Page:
        width, height = VIEWPORTS[size]
        context = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=size == "phone",
            has_touch=size == "phone",
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        opened.append((context, watch_csp(page)))
        return page

    yield open_one
    for context, refused in opened:
        context.close()
        assert refused == [], "The Content-Security-Policy refused something on the page"


def _five_answered_last_month(pair, survey: Survey) -> None:
    """Five other mentees answered `survey` in a month that has ended (a closed cohort)."""
    cast = pair.cast
    sent = timezone.make_aware(
        datetime.datetime.combine(current_period(), datetime.time(12))
    ) - datetime.timedelta(days=20)
    for index in range(5):
        mentor = ParticipantFactory(program=cast.program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=cast.program, user__organization=cast.org)
        relationship = Relationship.objects.create(
            program=cast.program,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.ACTIVE,
            source="manual",
            activated_at=sent,
        )
        invitation = invite(survey, relationship, mentee.user, "day-30")
        response_submit(
            actor=mentee.user,
            invitation_id=invitation.pk,
            answers={"progress": 2 + index % 3, "rhythm": "Once"},
        )
    SurveyInvitation.objects.filter(survey=survey).update(created_at=sent)
    SurveyResponse.objects.filter(invitation__survey=survey).update(
        submitted_at=sent + datetime.timedelta(hours=2)
    )


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_a_mentee_answers_a_survey_and_the_manager_reads_the_results(
    live_server, pair, open_page, shoot, size
):
    # given the monthly pulse, answered last month by five other mentees, and waiting for
    # the pair's mentee
    survey = defaults_of(pair.cast.program.pk)["pulse"]
    _five_answered_last_month(pair, survey)
    invitation = invite(survey, pair.relationship, pair.mentee, "day-30")
    width = VIEWPORTS[size][0]

    # when the mentee opens their surveys and answers, first forgetting a required question
    page = open_page(size)
    sign_in(page, live_server.url, pair.mentee.email, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/surveys/")
    shoot(page, "my-surveys")
    page.get_by_role("link", name="Monthly pulse").click()
    page.get_by_role("heading", name="Monthly pulse").wait_for()
    progress = page.get_by_role("group", name="How much progress are you making")
    progress.get_by_label("4", exact=True).check()
    page.get_by_label("Anything you would like the programme team to know?").fill(
        "Going well, thank you."
    )
    page.get_by_role("button", name="Send my answers").click()
    # then the form names the question left out and keeps what was given
    page.get_by_test_id("error-rhythm").wait_for()
    assert progress.get_by_label("4", exact=True).is_checked()
    shoot(page, "answer-error")
    _fits(page, width)

    # when they answer it too
    page.get_by_role("group", name="How often have you met").get_by_label("Once").check()
    page.get_by_role("button", name="Send my answers").click()
    # then their answers are saved and shown back to them
    page.get_by_text("Thank you: your answers are saved.").wait_for()
    answers = page.get_by_test_id("my-answers")
    assert "Going well, thank you." in answers.inner_text()
    shoot(page, "answered")
    _fits(page, width)
    stored = SurveyResponse.objects.get(invitation=invitation)
    assert sorted(stored.answers.values_list("question_key", flat=True)) == [
        "note",
        "progress",
        "rhythm",
    ]

    # when the manager opens the survey's results
    manager_page = open_page(size)
    sign_in(manager_page, live_server.url, pair.cast.manager.email, DEFAULT_PASSWORD)
    manager_page.goto(f"{live_server.url}/programs/{pair.cast.program.pk}/surveys/")
    shoot(manager_page, "programme-surveys")
    manager_page.get_by_role("link", name="Monthly pulse").click()
    results = manager_page.get_by_test_id("results")
    results.wait_for()
    # then they see last month's five, not this month's answer, and no one's words
    progress_result = manager_page.get_by_test_id("result-progress").inner_text()
    assert "Average 2.8" in progress_result  # 2, 3, 4, 2, 3
    assert "5 people" in progress_result
    assert "Response rate" in results.inner_text()
    assert "Going well, thank you." not in manager_page.content()
    assert pair.mentee.email not in manager_page.content()
    shoot(manager_page, "results")
    _fits(manager_page, width)


def test_a_manager_builds_a_survey_with_the_keyboard_on_a_phone(
    live_server, pair, open_page, shoot
):
    # given
    program = pair.cast.program
    page = open_page("phone")
    sign_in(page, live_server.url, pair.cast.manager.email, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/programs/{program.pk}/surveys/")
    page.get_by_role("link", name="New survey").click()
    page.get_by_role("heading", name="A new survey for").wait_for()
    shoot(page, "new-survey")

    # when they fill it in, add a second question (htmx) and move it up, all with the keyboard
    page.get_by_label("Title").fill("Three-month check")
    page.get_by_label("Days after the match").check()
    page.get_by_label("Days after that moment").fill("90")
    page.locator("#id_questions-0-text").fill("How is it going?")
    page.get_by_role("button", name="Add a question").focus()
    page.keyboard.press("Enter")
    # (the new question's text has the focus once htmx has swapped the editor in)
    expect(page.locator("#id_questions-1-text")).to_be_focused()
    page.keyboard.type("What should change?")
    page.locator("#id_questions-1-type").select_option("text")
    page.get_by_role("button", name="Move up question 2").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_questions-0-text")).to_have_value("What should change?")
    expect(page.locator("#id_questions-0-text")).to_be_focused()
    shoot(page, "two-questions")
    assert page.locator("form#survey-editor").count() == 1
    assert "#}" not in page.inner_text("main")
    assert "{%" not in page.content()
    # and save with a mistake: a repeat for a survey sent half-way
    page.get_by_label("Half-way through").check()
    page.get_by_label("Then again every").fill("30")
    page.get_by_role("button", name="Create the survey").click()
    # then the refusal is on its field and nothing is stored
    page.get_by_test_id("editor-errors").wait_for()
    assert page.locator("#id_repeat_days_error").is_visible()
    assert Survey.objects.filter(title="Three-month check").count() == 0
    shoot(page, "editor-error")

    # when corrected and saved
    page.get_by_label("Then again every").fill("")
    page.get_by_role("button", name="Create the survey").click()
    page.get_by_text("'Three-month check' is saved.").wait_for()
    shoot(page, "saved")
    # then
    survey = Survey.objects.get(title="Three-month check")
    assert (survey.trigger, survey.offset_days, survey.repeat_days) == ("halfway", 90, None)
    questions = SurveyVersion.objects.get(survey=survey).definition["questions"]
    assert [(q["text"], q["type"]) for q in questions] == [
        ("What should change?", "text"),
        ("How is it going?", "rating"),
    ]
    _fits(page, 375)
