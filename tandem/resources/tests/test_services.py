import datetime
import pathlib

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.core.aggregates import current_period
from tandem.core.errors import Forbidden, InvalidInput, NotFound
from tandem.participants.models import Participant
from tandem.participants.tests.factories import ParticipantFactory
from tandem.resources import selectors, services
from tandem.resources.content_format import ContentError
from tandem.resources.models import (
    ChecklistItem,
    CheckQuestion,
    GuideQuestion,
    Lesson,
    LessonCompletion,
    Resource,
    ResourceProgress,
)
from tandem.resources.tests.fixtures import ARTICLE, MODULE, write_content


def _snapshot(org):
    return sorted(
        Resource.objects.filter(organization=org).values_list(
            "slug", "title", "body_markdown", "is_hidden", "is_edited", "starter_hash"
        )
    )


# --- Loader ---------------------------------------------------------------------------------


def test_load_creates_every_piece_with_children(cast, content_dir):
    # when
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    # then
    assert sorted(report.created) == [
        "a-talk-on-listening",
        "asking-open-questions",
        "first-meeting-checklist",
        "mentoring-in-five-lessons",
        "mid-point-conversation",
    ]
    assert (report.updated, report.unchanged, report.kept_edited) == ([], [], [])
    resources = {r.slug: r for r in Resource.objects.filter(organization=cast.org)}
    assert all(r.is_starter and r.starter_key == r.slug for r in resources.values())
    assert list(
        ChecklistItem.objects.filter(resource=resources["first-meeting-checklist"]).values_list(
            "order", "text"
        )
    ) == [(0, "Read their profile."), (1, "Send the invitation."), (2, "Agree how often you meet.")]
    assert list(
        GuideQuestion.objects.filter(resource=resources["mid-point-conversation"]).values_list(
            "text", flat=True
        )
    ) == ["What has changed since we started?", "What would you like more of?"]
    module = resources["mentoring-in-five-lessons"]
    assert list(module.lessons.values_list("title", flat=True)) == [
        "What a mentor does",
        "The first meeting",
    ]
    assert [
        [(o.text, o.is_correct) for o in q.options.all()] for q in module.check_questions.all()
    ] == [
        [("The mentor", False), ("The mentee", True)],
        [("The mentee", True), ("The mentor", False)],
    ]
    assert resources["a-talk-on-listening"].url == "https://example.org/talk"
    assert Resource.objects.filter(organization=cast.other_org).count() == 0


def test_load_is_idempotent(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    before = _snapshot(cast.org)
    lesson_ids = list(Lesson.objects.values_list("pk", flat=True))
    # when
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    # then
    assert len(report.unchanged) == 5
    assert (report.created, report.updated, report.kept_edited) == ([], [], [])
    assert _snapshot(cast.org) == before
    assert list(Lesson.objects.values_list("pk", flat=True)) == lesson_ids


def test_reload_updates_changed_untouched_piece_and_keeps_lesson_completions(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    module = Resource.objects.get(slug="mentoring-in-five-lessons")
    first = module.lessons.get(order=0)
    services.lesson_complete(actor=cast.mentor, resource_id=module.pk, lesson_id=first.pk)
    write_content(
        content_dir,
        {"mentoring-in-five-lessons": MODULE.replace("Listens more", "Listens far more")},
    )
    # when
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    # then
    assert report.updated == ["mentoring-in-five-lessons"]
    first.refresh_from_db()
    assert first.body_markdown == "Listens far more than talks."
    assert LessonCompletion.objects.filter(lesson=first, user=cast.mentor).count() == 1


def test_reload_never_overwrites_an_edited_piece(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    article = Resource.objects.get(slug="asking-open-questions")
    services.resource_update(actor=cast.admin, resource_id=article.pk, title="Our own title")
    write_content(content_dir, {"asking-open-questions": ARTICLE.replace("**what**", "WHAT")})
    # when
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    # then
    assert report.kept_edited == ["asking-open-questions"]
    assert "kept (edited here) [asking-open-questions]" in str(report)
    article.refresh_from_db()
    assert (article.title, article.is_edited) == ("Our own title", True)
    assert "**what**" in article.body_markdown


def test_reload_detects_an_edit_made_outside_the_services(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    Resource.objects.filter(slug="asking-open-questions").update(summary="Changed in admin")
    write_content(content_dir, {"asking-open-questions": ARTICLE.replace("**what**", "WHAT")})
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    assert report.kept_edited == ["asking-open-questions"]
    assert Resource.objects.get(slug="asking-open-questions").summary == "Changed in admin"


def test_hidden_piece_stays_hidden_after_reload(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    article = Resource.objects.get(slug="asking-open-questions")
    services.resource_hide(actor=cast.admin, resource_id=article.pk)
    services.starter_content_load(organization=cast.org, directory=content_dir)
    assert Resource.objects.get(pk=article.pk).is_hidden is True


def test_a_broken_file_changes_nothing(cast, content_dir):
    services.starter_content_load(organization=cast.org, directory=content_dir)
    before = _snapshot(cast.org)
    write_content(
        content_dir,
        {
            "asking-open-questions": ARTICLE.replace("**what**", "WHAT"),
            "zz-broken": ARTICLE.replace("kind: article", "kind: poem"),
        },
    )
    # when
    with pytest.raises(ContentError) as raised:
        services.starter_content_load(organization=cast.org, directory=content_dir)
    # then
    assert str(raised.value).startswith("zz-broken.md:3: Unknown kind")
    assert _snapshot(cast.org) == before


def test_slug_taken_by_the_organisations_own_piece_is_reported(cast, content_dir):
    services.resource_create(
        actor=cast.admin,
        kind="article",
        title="Asking open questions",
        body_markdown="Ours.",
        stages=["closing"],
    )
    report = services.starter_content_load(organization=cast.org, directory=content_dir)
    assert report.conflicts == ["asking-open-questions"]
    assert Resource.objects.filter(organization=cast.org, is_starter=True).count() == 4


def test_command_loads_every_organisation_and_one_by_slug(cast, content_dir, capsys):
    # when
    call_command("load_starter_content", "--organization", "globex", "--directory", content_dir)
    # then
    assert Resource.objects.filter(organization=cast.other_org).count() == 5
    assert Resource.objects.filter(organization=cast.org).count() == 0
    call_command("load_starter_content", "--directory", content_dir)
    assert Resource.objects.filter(organization=cast.org).count() == 5
    output = capsys.readouterr().out
    assert "globex: 0 created, 0 updated, 5 unchanged" in output
    assert "northwind: 5 created" in output


def test_command_with_a_broken_file_loads_nothing_anywhere(cast, content_dir):
    write_content(content_dir, {"zz-broken": "no front matter"})
    with pytest.raises(CommandError, match=r"Nothing loaded: zz-broken\.md:1"):
        call_command("load_starter_content", "--directory", content_dir)
    assert Resource.objects.count() == 0


def test_command_unknown_organisation(cast, content_dir):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("load_starter_content", "--organization", "nope", "--directory", content_dir)


SHIPPED = pathlib.Path(services.CONTENT_DIR)


def test_the_shipped_content_loads_at_least_twenty_pieces(db):
    # given
    organization = OrganizationFactory(slug="shipped")
    # when
    report = services.starter_content_load(organization=organization)
    # then
    assert len(list(SHIPPED.glob("*.md"))) >= 20
    assert len(report.created) >= 20
    assert report.conflicts == []


# --- Create / update / hide ------------------------------------------------------------------


def test_admin_creates_an_org_piece_with_a_unique_slug(cast):
    first = services.resource_create(
        actor=cast.admin, kind="article", title="Our values", body_markdown="x", stages=["closing"]
    )
    second = services.resource_create(
        actor=cast.admin, kind="article", title="Our values", body_markdown="y", stages=["closing"]
    )
    assert (first.slug, second.slug) == ("our-values", "our-values-2")
    assert (first.program_id, first.created_by_id, first.is_starter) == (None, cast.admin.pk, False)


@pytest.mark.parametrize("name", ["manager", "other_manager", "member", "mentor"])
def test_only_admins_add_to_the_org_library(cast, name):
    with pytest.raises(Forbidden):
        services.resource_create(
            actor=getattr(cast, name),
            kind="article",
            title="T",
            body_markdown="x",
            stages=["closing"],
        )
    assert Resource.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "error"),
    [("other_manager", Forbidden), ("mentor", Forbidden), ("outsider", NotFound)],
)
def test_programme_additions_only_by_its_managers(cast, name, error):
    with pytest.raises(error):
        services.resource_create(
            actor=getattr(cast, name),
            program_id=cast.program.pk,
            kind="article",
            title="T",
            body_markdown="x",
            stages=["closing"],
        )
    assert Resource.objects.count() == 0


def test_create_reports_field_errors_and_body_line(cast):
    with pytest.raises(InvalidInput) as raised:
        services.resource_create(
            actor=cast.admin,
            kind="checklist",
            title=" ",
            body_markdown="Intro\n- [] broken",
            stages=["nowhere"],
        )
    assert [e.field for e in raised.value.errors] == ["title", "stages"]
    with pytest.raises(InvalidInput) as raised:
        services.resource_create(
            actor=cast.admin, kind="checklist", title="T", body_markdown="Intro\n- [] x", stages=[]
        )
    assert [e.field for e in raised.value.errors] == ["stages"]
    with pytest.raises(InvalidInput) as raised:
        services.resource_create(
            actor=cast.admin,
            kind="checklist",
            title="T",
            body_markdown="Intro\n- [] x",
            stages=["closing"],
        )
    assert raised.value.errors[0].field == "body_markdown"
    assert raised.value.errors[0].message.startswith("line 2: A checklist item")
    assert Resource.objects.count() == 0


def test_update_resyncs_children(cast, library):
    guide = library["addition"]
    services.resource_update(
        actor=cast.manager, resource_id=guide.pk, body_markdown="? Only one question now?"
    )
    assert list(guide.guide_questions.values_list("order", "text")) == [
        (0, "Only one question now?")
    ]
    assert Resource.objects.get(pk=guide.pk).is_edited is False  # not a starter piece


@pytest.mark.parametrize(
    ("name", "error"),
    [("member", Forbidden), ("mentor", Forbidden), ("manager", Forbidden), ("outsider", NotFound)],
)
def test_hiding_an_org_piece_is_for_admins(cast, library, name, error):
    article = library["asking-open-questions"]
    with pytest.raises(error):
        services.resource_hide(actor=getattr(cast, name), resource_id=article.pk)
    assert Resource.objects.get(pk=article.pk).is_hidden is False


def test_hide_and_unhide(cast, library):
    article = library["asking-open-questions"]
    services.resource_hide(actor=cast.admin, resource_id=article.pk)
    assert Resource.objects.get(pk=article.pk).is_hidden is True
    with pytest.raises(NotFound):
        services.resource_mark_done(actor=cast.mentee, resource_id=article.pk)
    services.resource_unhide(actor=cast.admin, resource_id=article.pk)
    assert Resource.objects.get(pk=article.pk).is_hidden is False


# --- Progress -------------------------------------------------------------------------------


def test_mark_done_undone_and_rate(cast, library):
    article = library["asking-open-questions"]
    services.resource_mark_done(actor=cast.mentee, resource_id=article.pk)
    services.resource_mark_done(actor=cast.mentee, resource_id=article.pk)
    services.resource_rate(actor=cast.mentee, resource_id=article.pk, rating=4)
    progress = ResourceProgress.objects.get(user=cast.mentee, resource=article)
    assert progress.done_at is not None
    assert progress.rating == 4
    services.resource_mark_undone(actor=cast.mentee, resource_id=article.pk)
    progress.refresh_from_db()
    assert (progress.done_at, progress.rating) == (None, 4)
    assert ResourceProgress.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_is_one_to_five(cast, library, rating):
    with pytest.raises(InvalidInput):
        services.resource_rate(
            actor=cast.mentee, resource_id=library["asking-open-questions"].pk, rating=rating
        )
    assert ResourceProgress.objects.filter(rating__isnull=False).count() == 0


def test_checklist_items_are_ticked_per_person(cast, library):
    checklist = library["first-meeting-checklist"]
    items = list(checklist.checklist_items.all())
    services.checklist_item_set(
        actor=cast.mentor, resource_id=checklist.pk, item_id=items[2].pk, checked=True
    )
    services.checklist_item_set(
        actor=cast.mentor, resource_id=checklist.pk, item_id=items[0].pk, checked=True
    )
    services.checklist_item_set(
        actor=cast.mentor, resource_id=checklist.pk, item_id=items[2].pk, checked=False
    )
    assert ResourceProgress.objects.get(user=cast.mentor).checked_items == [0]
    assert not ResourceProgress.objects.filter(user=cast.mentee).exists()


def test_module_completes_after_lessons_and_a_passed_check(cast, library):
    module = library["mentoring-in-five-lessons"]
    lessons = list(module.lessons.all())
    questions = list(CheckQuestion.objects.filter(resource=module).prefetch_related("options"))
    right = {q.pk: next(o.pk for o in q.options.all() if o.is_correct) for q in questions}
    wrong = {q.pk: next(o.pk for o in q.options.all() if not o.is_correct) for q in questions}
    with pytest.raises(InvalidInput, match="every lesson"):
        services.resource_mark_done(actor=cast.mentor, resource_id=module.pk)
    services.lesson_complete(actor=cast.mentor, resource_id=module.pk, lesson_id=lessons[0].pk)
    services.lesson_complete(actor=cast.mentor, resource_id=module.pk, lesson_id=lessons[0].pk)
    services.lesson_complete(actor=cast.mentor, resource_id=module.pk, lesson_id=lessons[1].pk)
    assert ResourceProgress.objects.get(user=cast.mentor, resource=module).done_at is None
    # a half-right attempt fails (50% < 80%)
    half = {questions[0].pk: right[questions[0].pk], questions[1].pk: wrong[questions[1].pk]}
    result = services.knowledge_check_submit(actor=cast.mentor, resource_id=module.pk, answers=half)
    assert (result.score, result.passed) == (50, False)
    assert result.correct == {questions[0].pk: True, questions[1].pk: False}
    progress = ResourceProgress.objects.get(user=cast.mentor, resource=module)
    assert (progress.check_score, progress.check_passed, progress.done_at) == (50, False, None)
    # when
    result = services.knowledge_check_submit(
        actor=cast.mentor, resource_id=module.pk, answers=right
    )
    # then
    progress.refresh_from_db()
    assert (result.score, result.passed) == (100, True)
    assert (progress.check_score, progress.check_passed) == (100, True)
    assert progress.done_at is not None
    assert LessonCompletion.objects.filter(user=cast.mentor).count() == 2


def test_check_needs_every_answer_and_known_options(cast, library):
    module = library["mentoring-in-five-lessons"]
    questions = list(module.check_questions.all())
    with pytest.raises(InvalidInput) as raised:
        services.knowledge_check_submit(
            actor=cast.mentor, resource_id=module.pk, answers={questions[0].pk: 999999}
        )
    assert [e.field for e in raised.value.errors] == [
        f"answers.{questions[0].pk}",
        f"answers.{questions[1].pk}",
    ]
    assert ResourceProgress.objects.count() == 0


def test_lesson_of_another_module_is_refused(cast, library):
    other = services.resource_create(
        actor=cast.admin,
        kind="module",
        title="Other",
        body_markdown="## Lesson: A\nText",
        stages=["closing"],
    )
    lesson = other.lessons.get()
    with pytest.raises(InvalidInput):
        services.lesson_complete(
            actor=cast.mentor,
            resource_id=library["mentoring-in-five-lessons"].pk,
            lesson_id=lesson.pk,
        )
    assert LessonCompletion.objects.count() == 0


# --- Selectors -------------------------------------------------------------------------------


def _slugs(queryset):
    return [resource.slug for resource in queryset]


def test_library_scope_and_filters(cast, library):
    mentee_all = _slugs(selectors.resource_list_for_user(user=cast.mentee))
    assert mentee_all == [
        "a-talk-on-listening",
        "asking-open-questions",
        "cohort-kick-off-questions",
        "first-meeting-checklist",
        "mentoring-in-five-lessons",
        "mid-point-conversation",
    ]
    # a member outside the programme does not see its addition
    assert "cohort-kick-off-questions" not in _slugs(
        selectors.resource_list_for_user(user=cast.member)
    )
    assert "cohort-kick-off-questions" not in _slugs(
        selectors.resource_list_for_user(user=cast.other_manager)
    )
    assert "cohort-kick-off-questions" in _slugs(selectors.resource_list_for_user(user=cast.admin))
    assert _slugs(selectors.resource_list_for_user(user=cast.outsider)) == []
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, search="GROUND RULES")) == [
        "mentoring-in-five-lessons"
    ]
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, search="twenty")) == [
        "a-talk-on-listening"
    ]
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, kind="guide")) == [
        "cohort-kick-off-questions",
        "mid-point-conversation",
    ]
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, audience="mentee")) == [
        "a-talk-on-listening",
        "asking-open-questions",
        "cohort-kick-off-questions",
        "mid-point-conversation",
    ]
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, stage="mid-point-review")) == [
        "mid-point-conversation"
    ]
    assert _slugs(selectors.resource_list_for_user(user=cast.mentee, skill="Trust")) == [
        "first-meeting-checklist"
    ]


def test_hidden_pieces_leave_the_library(cast, library):
    services.resource_hide(actor=cast.admin, resource_id=library["asking-open-questions"].pk)
    assert "asking-open-questions" not in _slugs(selectors.resource_list_for_user(user=cast.admin))


def test_resources_for_stage_and_guide_questions(cast, library):
    pieces = selectors.resources_for_stage(
        organization_id=cast.org.pk,
        program_id=cast.program.pk,
        stage="getting-started",
        audience="mentee",
    )
    assert _slugs(pieces) == ["asking-open-questions", "cohort-kick-off-questions"]
    assert [q.text for q in selectors.guide_questions_for(resource=pieces[1])] == [
        "What do you hope to learn?",
        "What would make this year a success?",
    ]
    assert _slugs(
        selectors.resources_for_stage(
            organization_id=cast.org.pk, program_id=None, stage="getting-started", audience=None
        )
    ) == ["asking-open-questions", "first-meeting-checklist", "mentoring-in-five-lessons"]


def _last_month() -> datetime.datetime:
    return datetime.datetime.combine(
        current_period() - datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC
    )


def _active_people(cast, count: int) -> list:
    """The cast's mentor and mentee and `count - 2` more active participants, all enrolled
    last month."""
    for _ in range(count - 2):
        ParticipantFactory(program=cast.program, user=UserFactory(organization=cast.org))
    Participant.objects.filter(program=cast.program).update(enrolled_at=_last_month())
    return [p.user for p in Participant.objects.filter(program=cast.program).order_by("pk")]


def test_completion_rates_count_active_participants_only(cast, library):
    # given five active participants and a member outside the programme marked a piece done
    # last month
    article = library["asking-open-questions"]
    for user in (*_active_people(cast, 5), cast.member):
        services.resource_mark_done(actor=user, resource_id=article.pk)
    ResourceProgress.objects.update(done_at=_last_month())
    # when
    rows = {
        row.resource.slug: row for row in selectors.resource_completion_rates(program=cast.program)
    }
    # then the five count, the member does not
    assert (rows["asking-open-questions"].done, rows["asking-open-questions"].participants) == (
        5,
        5,
    )
    assert rows["asking-open-questions"].percent == 100
    assert (rows["first-meeting-checklist"].done, rows["first-meeting-checklist"].percent) == (0, 0)
    assert len(rows) == 6


@pytest.mark.parametrize("already", [0, 1, 4, 5, 7])
def test_one_more_completion_never_changes_a_read_by_one_person(cast, library, already):
    # given `already` active participants marked a piece done last month
    article = library["asking-open-questions"]
    people = _active_people(cast, already + 3)
    for user in people[:already]:
        services.resource_mark_done(actor=user, resource_id=article.pk)
    ResourceProgress.objects.update(done_at=_last_month())

    def done(now=None) -> int:
        rows = selectors.resource_completion_rates(program=cast.program, now=now)
        return next(row.done for row in rows if row.resource.pk == article.pk)

    next_month = datetime.datetime.combine(
        current_period() + datetime.timedelta(days=40), datetime.time(12), tzinfo=datetime.UTC
    )
    before, before_next_month = done(), done(next_month)
    # when one more person marks it done
    services.resource_mark_done(actor=people[already], resource_id=article.pk)
    # then this month's read is unchanged, and next month's differs from any earlier read by
    # nothing or by at least five people
    assert done() == before
    after = done(next_month)
    for earlier in (before, before_next_month):
        assert after - earlier == 0 or after - earlier >= 5
    assert after == (already if already >= 5 else already + 1 if already + 1 >= 5 else 0)


def test_a_piece_done_before_joining_counts_from_the_month_of_joining(cast, library):
    # given five people marked a piece done two months ago, but joined only this month
    article = library["asking-open-questions"]
    people = _active_people(cast, 5)
    for user in people:
        services.resource_mark_done(actor=user, resource_id=article.pk)
    ResourceProgress.objects.update(done_at=_last_month() - datetime.timedelta(days=40))
    Participant.objects.filter(program=cast.program).update(enrolled_at=timezone.now())
    # when read now, then nothing (joining is this month's news); next month, all five
    rows = selectors.resource_completion_rates(program=cast.program)
    assert next(row.done for row in rows if row.resource.pk == article.pk) == 0
    next_month = timezone.now() + datetime.timedelta(days=32)
    rows = selectors.resource_completion_rates(program=cast.program, now=next_month)
    assert next(row.done for row in rows if row.resource.pk == article.pk) == 5


def test_completion_rates_query_budget(cast, library, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = selectors.resource_completion_rates(program=cast.program)
        assert len(rows) == 6
