import pytest

from tandem.resources.content_format import ContentError, parse_piece
from tandem.resources.tests.fixtures import ARTICLE, CHECKLIST, GUIDE, LINK, MODULE


def test_article_front_matter_is_parsed():
    # when
    piece = parse_piece(ARTICLE, slug="asking-open-questions", file="asking-open-questions.md")
    # then
    assert (piece.slug, piece.title, piece.kind, piece.audience, piece.minutes) == (
        "asking-open-questions",
        "Asking open questions",
        "article",
        "both",
        4,
    )
    assert piece.stages == ["getting-started", "working-together"]
    assert piece.skills == ["asking questions", "active listening"]
    assert piece.summary == "Questions that start with what and how."
    assert piece.url == ""
    assert piece.body_markdown == "Open questions start with **what** or **how**."
    assert len(piece.content_hash) == 64


def test_checklist_items_and_inline_comment():
    piece = parse_piece(CHECKLIST, slug="first")
    assert piece.kind == "checklist"
    assert piece.body.checklist_items == (
        "Read their profile.",
        "Send the invitation.",
        "Agree how often you meet.",
    )


def test_guide_questions():
    piece = parse_piece(GUIDE, slug="mid")
    assert piece.body.guide_questions == (
        "What has changed since we started?",
        "What would you like more of?",
    )


def test_video_needs_url_and_may_have_no_body():
    piece = parse_piece(LINK, slug="talk")
    assert (piece.kind, piece.url, piece.body_markdown, piece.skills) == (
        "video",
        "https://example.org/talk",
        "",
        [],
    )


def test_module_lessons_and_check():
    piece = parse_piece(MODULE, slug="module")
    assert [(lesson.title, lesson.body_markdown) for lesson in piece.body.lessons] == [
        ("What a mentor does", "Listens more than talks."),
        ("The first meeting", "Agree the ground rules."),
    ]
    assert [(q.text, q.options) for q in piece.body.check_questions] == [
        ("Who owns the goals?", (("The mentor", False), ("The mentee", True))),
        ("Who talks most?", (("The mentee", True), ("The mentor", False))),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: x\n", 1, "must start with a '---'"),
        (ARTICLE.replace("kind: article", "kind: poem"), 3, "Unknown kind 'poem'"),
        (ARTICLE.replace("audience: both", "audience: everyone"), 4, "Unknown audience"),
        (ARTICLE.replace("stages: getting-started,", "stages: beginning,"), 5, "Unknown stage"),
        (ARTICLE.replace("minutes: 4", "minutes: four"), 8, "whole number"),
        (ARTICLE.replace("minutes: 4", "minutes: 4\nminutes: 5"), 9, "given twice"),
        (ARTICLE.replace("minutes: 4", "colour: red"), 8, "Unknown key 'colour'"),
        (ARTICLE.replace("minutes: 4", "just words"), 8, "Expected a 'key: value' line"),
        (
            ARTICLE.replace("summary: Questions that start with what and how.\n", ""),
            8,
            "'summary:'",
        ),
        ("---\ntitle: x\n", 3, "not closed"),
        (ARTICLE.replace("minutes: 4", "minutes: 4\nurl: https://x.org"), 9, "Only links"),
        (LINK.replace("url: https://example.org/talk\n", ""), 8, "needs a url"),
        (LINK.replace("https://example.org/talk", "javascript:alert(1)"), 7, "http(s) address"),
        (ARTICLE.split("---\nOpen")[0] + "---\n\n", 11, "needs a body"),
        (CHECKLIST.replace("- [ ] Send", "- [] Send"), 13, "one space in the brackets"),
        (CHECKLIST.replace("- [ ]", "-"), 10, "at least one '- [ ] item'"),
        (GUIDE.replace("? What would", "?What would"), 13, "'? question'"),
        (MODULE.replace("Listens more than talks.", ""), 12, "has no text"),
        (MODULE.replace("## Lesson: The first meeting", "## Lesson:"), 15, "needs a title"),
        (MODULE.replace("- [x] The mentee", "- [ ] The mentee"), 19, "exactly one right"),
        (MODULE.replace("- [x] The mentee\n", ""), 19, "at least two options"),
        (MODULE.replace("Q: Who talks most?", "Who talks most?"), 23, "'Q: question' lines"),
        (MODULE + "\n## Lesson: Late\nText\n", 27, "Lessons come before"),
    ],
)
def test_errors_name_file_and_line(text, line, message):
    # when
    with pytest.raises(ContentError) as raised:
        parse_piece(text, slug="broken", file="broken.md")
    # then
    assert raised.value.file == "broken.md"
    assert raised.value.line == line
    assert message in raised.value.message
    assert str(raised.value).startswith(f"broken.md:{line}: ")


def test_file_name_must_be_a_slug():
    with pytest.raises(ContentError, match="slug"):
        parse_piece(ARTICLE, slug="Not A Slug", file="Not A Slug.md")
