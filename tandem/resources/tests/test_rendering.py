from tandem.resources.rendering import Segment, body_segments, markdown_to_html, module_intro


def test_markdown_is_rendered():
    assert markdown_to_html("Some **bold** text") == "<p>Some <strong>bold</strong> text</p>"


def test_script_tags_are_removed():
    html = markdown_to_html("Hello <script>alert('x')</script> there")
    assert "<script" not in html
    assert "alert" not in html


def test_event_handlers_are_removed():
    html = markdown_to_html('<img src="x" onerror="alert(1)"> <b onclick="x()">hi</b>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html


def test_javascript_urls_are_removed():
    html = markdown_to_html("[click](javascript:alert(1)) and <a href='javascript:x'>y</a>")
    assert "javascript:" not in html


def test_links_get_noopener_nofollow():
    html = markdown_to_html("[Tandem](https://example.org)")
    assert html == '<p><a href="https://example.org" rel="noopener nofollow">Tandem</a></p>'


def test_checklist_segments_keep_items_in_place():
    segments = body_segments("checklist", "Before:\n\n- [ ] One\n- [ ] Two\n\nAfter:\n- [ ] Three")
    assert segments == [
        Segment(html="<p>Before:</p>"),
        Segment(index=0),
        Segment(index=1),
        Segment(html="<p>After:</p>"),
        Segment(index=2),
    ]


def test_guide_segments():
    assert body_segments("guide", "Intro\n? One?\n? Two?") == [
        Segment(html="<p>Intro</p>"),
        Segment(index=0),
        Segment(index=1),
    ]


def test_module_intro_stops_at_first_lesson():
    assert module_intro("Welcome.\n\n## Lesson: One\nText") == "Welcome."
