import pytest
from django.urls import reverse

from tandem.people.tests.factories import SkillFactory
from tandem.programs.models import EnrollmentQuestion, Program, ProgramStatus
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory

HTMX = {"HX-Request": "true"}


def _state():
    return (
        list(Program.objects.order_by("pk").values()),
        list(EnrollmentQuestion.objects.order_by("pk").values()),
        sorted(Program.managers.through.objects.values_list("program_id", "user_id")),
    )


@pytest.fixture
def draft(cast):
    return ProgramFactory(
        organization=cast.org,
        name="Draft cohort",
        status=ProgramStatus.DRAFT,
        managers=[cast.manager],
    )


def _login(client, user):
    client.force_login(user)
    return client


# --- list ---------------------------------------------------------------------------------


def test_list_shows_managed_programmes_with_counts(cast, draft, client):
    # given
    ProgramFactory(organization=cast.org, name="Someone else's", managers=[cast.other_manager])
    ProgramFactory(organization=cast.other_org, name="Globex mentoring")
    # when
    response = _login(client, cast.manager).get(reverse("programs:list"))
    # then
    assert response.status_code == 200
    assert [program.name for program in response.context["programs"]] == [
        "Draft cohort",
        "Leadership cohort",
    ]
    leadership = response.context["programs"][1]
    assert (leadership.mentor_count, leadership.mentee_count) == (1, 1)
    assert response.context["status_filters"] == [
        ("draft", "Draft", 1),
        ("published", "Published", 1),
        ("archived", "Archived", 0),
    ]
    html = response.content.decode()
    assert "Someone else&#x27;s" not in html
    assert "Globex mentoring" not in html


def test_list_filters_by_status(cast, draft, client):
    # when
    response = _login(client, cast.admin).get(reverse("programs:list"), {"status": "draft"})
    # then
    assert [program.name for program in response.context["programs"]] == ["Draft cohort"]


def test_list_empty_state(cast, client):
    # when
    response = _login(client, cast.other_manager).get(reverse("programs:list"))
    # then
    assert response.status_code == 200
    assert "You do not manage any programmes yet." in response.content.decode()


@pytest.mark.parametrize("actor_name", ["member", "mentor", "mentee"])
def test_list_and_create_are_403_for_members(cast, client, actor_name):
    # given
    _login(client, cast.by_name(actor_name))
    before = _state()
    # when
    listing = client.get(reverse("programs:list"))
    creating = client.post(reverse("programs:create"), {"name": "Mine"})
    # then
    assert (listing.status_code, creating.status_code) == (403, 403)
    assert _state() == before


def test_pages_need_sign_in(cast, client):
    # when
    response = client.get(reverse("programs:detail", args=[cast.program.pk]))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- create and edit ----------------------------------------------------------------------


def test_create_page_creates_a_draft(cast, client):
    # given
    _login(client, cast.other_manager)
    # when
    response = client.post(
        reverse("programs:create"),
        {
            "name": "Skills swap",
            "purpose": "skills",
            "format": "peer",
            "access": "open",
            "starts_on": "2027-03-01",
            "ends_on": "2027-08-31",
            "default_mentor_capacity": "2",
            "max_circle_size": "5",
            "manager_ids": [str(cast.admin.pk)],
        },
    )
    # then
    program = Program.objects.get(name="Skills swap")
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:detail", args=[program.pk])
    assert (program.status, program.cadence, program.duration_months) == ("draft", "fortnightly", 6)
    assert set(program.managers.values_list("pk", flat=True)) == {
        cast.other_manager.pk,
        cast.admin.pk,
    }


def test_create_page_shows_the_services_error_on_the_field(cast, client):
    # given
    _login(client, cast.manager)
    before = _state()
    # when
    response = client.post(
        reverse("programs:create"),
        {
            "name": "Bad capacity",
            "purpose": "career",
            "format": "one_to_one",
            "access": "open",
            "starts_on": "2027-03-01",
            "ends_on": "2027-02-01",
            "default_mentor_capacity": "0",
            "max_circle_size": "5",
        },
    )
    # then
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "ends_on": ["The end date must be on or after the start date."],
        "default_mentor_capacity": ["The default mentor capacity must be at least 1."],
    }
    html = response.content.decode()
    assert 'id="id_default_mentor_capacity_error"' in html
    assert 'aria-invalid="true"' in html
    assert _state() == before


def test_edit_page_saves_settings(cast, client):
    # given
    _login(client, cast.manager)
    url = reverse("programs:edit", args=[cast.program.pk])
    form = client.get(url).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(name="Leadership cohort 2027", cadence="fortnightly", manager_ids=[cast.manager.pk])
    data["starts_on"] = cast.program.starts_on.isoformat()
    data["ends_on"] = cast.program.ends_on.isoformat()
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert (cast.program.name, cast.program.cadence) == ("Leadership cohort 2027", "fortnightly")


def _edit_data(client, program) -> dict:
    form = client.get(reverse("programs:edit", args=[program.pk])).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data["starts_on"] = program.starts_on.isoformat()
    data["ends_on"] = program.ends_on.isoformat()
    return data


def test_edit_page_picks_a_colour_that_the_programme_page_shows(cast, client):
    # given
    _login(client, cast.manager)
    shown = client.get(reverse("programs:edit", args=[cast.program.pk])).content.decode()
    assert 'type="color" name="colour" value="#0d6efd"' in shown
    data = _edit_data(client, cast.program) | {"colour": "#8250df"}
    # when
    response = client.post(reverse("programs:edit", args=[cast.program.pk]), data)
    # then
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.colour == "#8250df"
    page = client.get(reverse("programs:detail", args=[cast.program.pk])).content.decode()
    assert "border-left: .375rem solid #8250df" in page
    assert "<code>#8250df</code>" in page


def test_edit_page_shows_a_bad_colour_on_its_field_and_saves_nothing(cast, client):
    # given
    _login(client, cast.manager)
    data = _edit_data(client, cast.program) | {"name": "Renamed", "colour": "tomato"}
    before = _state()
    # when
    response = client.post(reverse("programs:edit", args=[cast.program.pk]), data)
    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"colour": ["Use a hex colour like #0d6efd."]}
    assert 'id="id_colour_error">Use a hex colour like #0d6efd.' in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("actor_name", "expected"), [("other_manager", 403), ("outsider", 404)])
def test_edit_page_refuses_non_managers(cast, client, actor_name, expected):
    # given
    _login(client, cast.by_name(actor_name))
    before = _state()
    # when
    shown = client.get(reverse("programs:edit", args=[cast.program.pk]))
    posted = client.post(reverse("programs:edit", args=[cast.program.pk]), {"name": "Taken"})
    # then
    assert (shown.status_code, posted.status_code) == (expected, expected)
    assert _state() == before


# --- detail and actions -------------------------------------------------------------------


def test_detail_for_a_manager_links_to_participants_enrolment_and_export(cast, client):
    # given
    EnrollmentQuestionFactory(program=cast.program, prompt="What do you hope to learn?")
    # when
    response = _login(client, cast.manager).get(reverse("programs:detail", args=[cast.program.pk]))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("participants:program_participants", args=[cast.program.pk]) in html
    assert reverse("participants:program_participants_export", args=[cast.program.pk]) in html
    assert reverse("participants:enroll", args=[cast.program.pk]) in html
    assert reverse("programs:edit", args=[cast.program.pk]) in html
    assert "What do you hope to learn?" in html
    assert response.context["can_manage"] is True


def test_detail_for_a_member_shows_the_summary_without_manage_actions(cast, client):
    # when
    response = _login(client, cast.member).get(reverse("programs:detail", args=[cast.program.pk]))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["can_manage"] is False
    assert reverse("programs:edit", args=[cast.program.pk]) not in html
    assert reverse("participants:program_participants", args=[cast.program.pk]) not in html
    assert reverse("participants:enroll", args=[cast.program.pk]) in html


@pytest.mark.parametrize("actor_name", ["member", "other_manager", "outsider"])
def test_detail_of_a_draft_is_404_for_non_managers(cast, draft, client, actor_name):
    # when
    response = _login(client, cast.by_name(actor_name)).get(
        reverse("programs:detail", args=[draft.pk])
    )
    # then
    assert response.status_code == 404


def test_publish_archive_and_duplicate_buttons(cast, draft, client):
    # given
    _login(client, cast.manager)
    # when
    published = client.post(reverse("programs:publish", args=[draft.pk]))
    published_again = client.post(reverse("programs:publish", args=[draft.pk]), follow=True)
    archived = client.post(reverse("programs:archive", args=[draft.pk]))
    duplicated = client.post(reverse("programs:duplicate", args=[draft.pk]))
    # then
    assert published.status_code == 302
    assert "&#x27;Draft cohort&#x27; is already published." in published_again.content.decode()
    assert archived.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProgramStatus.ARCHIVED
    copy = Program.objects.get(name="Copy of Draft cohort")
    assert duplicated["Location"] == reverse("programs:edit", args=[copy.pk])
    assert copy.status == ProgramStatus.DRAFT


@pytest.mark.parametrize("action", ["publish", "archive", "duplicate"])
def test_actions_are_403_for_a_member_and_change_nothing(cast, client, action):
    # given
    _login(client, cast.mentor)
    before = _state()
    # when
    response = client.post(reverse(f"programs:{action}", args=[cast.program.pk]))
    # then
    assert response.status_code == 403
    assert _state() == before


def test_actions_need_post(cast, client):
    # when
    response = _login(client, cast.manager).get(reverse("programs:archive", args=[cast.program.pk]))
    # then
    assert response.status_code == 405
    cast.program.refresh_from_db()
    assert cast.program.status == ProgramStatus.PUBLISHED


# --- the form builder ---------------------------------------------------------------------


def test_builder_page_lists_questions_in_order(cast, client, django_assert_max_num_queries):
    # given
    for index in range(6):
        EnrollmentQuestionFactory(
            program=cast.program, prompt=f"Question {index}?", position=5 - index
        )
    _login(client, cast.manager)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(reverse("programs:form", args=[cast.program.pk]))
    # then
    assert response.status_code == 200
    assert [question.prompt for question in response.context["questions"]] == [
        f"Question {index}?" for index in range(5, -1, -1)
    ]


def test_builder_is_403_for_a_member(cast, client):
    # when
    response = _login(client, cast.member).get(reverse("programs:form", args=[cast.program.pk]))
    # then
    assert response.status_code == 403


def test_add_a_question_with_htmx_returns_the_builder(cast, client):
    # given
    _login(client, cast.manager)
    # when
    response = client.post(
        reverse("programs:question_create", args=[cast.program.pk]),
        {
            "prompt": "Preferred meeting format",
            "kind": "single_choice",
            "audience": "both",
            "choices": "Video call\nIn person\n",
            "use_for_matching": "on",
        },
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert response.templates[0].name == "programs/_builder.html"
    question = cast.program.questions.get()
    assert (question.prompt, question.choices, question.use_for_matching) == (
        "Preferred meeting format",
        ["Video call", "In person"],
        True,
    )
    assert "Added &#x27;Preferred meeting format&#x27;." in response.content.decode()


def test_add_a_choice_question_with_one_option_shows_the_error(cast, client):
    # given
    _login(client, cast.manager)
    before = _state()
    # when
    response = client.post(
        reverse("programs:question_create", args=[cast.program.pk]),
        {"prompt": "Pick", "kind": "multiple_choice", "audience": "both", "choices": "Only"},
    )
    # then
    assert response.status_code == 400
    assert response.context["add_form"].errors == {
        "choices": ["A choice question needs at least two different options."]
    }
    assert _state() == before


def test_inline_edit_and_move_and_delete(cast, client):
    # given
    first = EnrollmentQuestionFactory(program=cast.program, prompt="First?", position=0)
    second = EnrollmentQuestionFactory(program=cast.program, prompt="Second?", position=1)
    _login(client, cast.manager)
    # when the edit form is asked for inline
    edit_form = client.get(
        reverse("programs:question_edit", args=[cast.program.pk, first.pk]), headers=HTMX
    )
    # then
    assert edit_form.status_code == 200
    assert edit_form.templates[0].name == "programs/_question_form.html"
    assert f'id="id_q{first.pk}_prompt"' in edit_form.content.decode()

    # when saved
    saved = client.post(
        reverse("programs:question_edit", args=[cast.program.pk, first.pk]),
        {"prompt": "First, reworded?", "kind": "text", "audience": "mentee"},
        headers=HTMX,
    )
    moved = client.post(
        reverse("programs:question_move", args=[cast.program.pk, second.pk]),
        {"direction": "up"},
        headers=HTMX,
    )
    # then
    assert (saved.status_code, moved.status_code) == (200, 200)
    first.refresh_from_db()
    assert (first.prompt, first.audience) == ("First, reworded?", "mentee")
    assert list(cast.program.questions.values_list("pk", flat=True)) == [second.pk, first.pk]

    # when deleted without htmx
    deleted = client.post(reverse("programs:question_delete", args=[cast.program.pk, second.pk]))
    # then
    assert deleted.status_code == 302
    assert list(cast.program.questions.values_list("pk", "position")) == [(first.pk, 0)]


def test_inline_edit_error_stays_in_the_question(cast, client):
    # given
    question = EnrollmentQuestionFactory(program=cast.program, prompt="How many?", kind="number")
    _login(client, cast.manager)
    before = _state()
    # when
    response = client.post(
        reverse("programs:question_edit", args=[cast.program.pk, question.pk]),
        {
            "prompt": "How many?",
            "kind": "number",
            "audience": "both",
            "min_value": "9",
            "max_value": "1",
        },
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "max_value": ["The largest allowed number must not be below the smallest."]
    }
    assert _state() == before


def test_question_of_another_programme_is_404(cast, draft, client):
    # given
    foreign = EnrollmentQuestionFactory(program=draft)
    _login(client, cast.manager)
    before = _state()
    # when
    response = client.post(reverse("programs:question_delete", args=[cast.program.pk, foreign.pk]))
    # then
    assert response.status_code == 404
    assert _state() == before


def test_builder_writes_are_403_for_a_member(cast, client):
    # given
    question = EnrollmentQuestionFactory(program=cast.program)
    _login(client, cast.mentee)
    before = _state()
    # when
    responses = [
        client.post(
            reverse("programs:question_create", args=[cast.program.pk]),
            {"prompt": "X", "kind": "text"},
        ),
        client.post(
            reverse("programs:question_edit", args=[cast.program.pk, question.pk]),
            {"prompt": "X", "kind": "text"},
        ),
        client.post(
            reverse("programs:question_move", args=[cast.program.pk, question.pk]),
            {"direction": "up"},
        ),
        client.post(reverse("programs:question_delete", args=[cast.program.pk, question.pk])),
    ]
    # then
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert _state() == before


def test_preview_shows_each_role_its_questions(cast, client):
    # given
    EnrollmentQuestionFactory(program=cast.program, prompt="For everyone?", audience="both")
    EnrollmentQuestionFactory(program=cast.program, prompt="Mentors only?", audience="mentor")
    EnrollmentQuestionFactory(
        program=cast.program, prompt="Skills to grow?", audience="mentee", kind="skills"
    )
    SkillFactory(organization=cast.org, name="Negotiation")
    SkillFactory(organization=cast.other_org, name="Secret Globex skill")
    _login(client, cast.manager)
    # when
    as_mentor = client.get(reverse("programs:form_preview", args=[cast.program.pk, "mentor"]))
    as_mentee = client.get(reverse("programs:form_preview", args=[cast.program.pk, "mentee"]))
    unknown = client.get(reverse("programs:form_preview", args=[cast.program.pk, "admin"]))
    # then
    assert [q.prompt for q in as_mentor.context["questions"]] == ["For everyone?", "Mentors only?"]
    assert [q.prompt for q in as_mentee.context["questions"]] == [
        "For everyone?",
        "Skills to grow?",
    ]
    html = as_mentee.content.decode()
    assert "Negotiation" in html
    assert "Secret Globex skill" not in html
    assert "<fieldset disabled>" in html
    assert unknown.status_code == 404
