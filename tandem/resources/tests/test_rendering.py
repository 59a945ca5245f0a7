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


# --- link targets: only http(s) with a host, mailto, or a path within Tandem ----------------

from html import escape as html_escape  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

from hypothesis import example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def _hrefs(html: str) -> list[str | None]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _as_a_browser_reads_it(url: str) -> str:
    """WHATWG URL pre-processing: trim C0 controls and spaces, drop tabs and newlines; in
    special (web) URLs a backslash is a slash."""
    url = url.strip("".join(chr(c) for c in range(0x21)))
    return "".join(ch for ch in url if ch not in "\t\n\r").replace("\\", "/")


# What may stand before a URL (a blank line would end the raw HTML's paragraph, so one "\n").
junk = st.one_of(
    st.text(alphabet=st.sampled_from([" ", "\t", "\x01", "\x1f"]), max_size=3),
    st.just("\n"),
)
slashes = st.text(alphabet=st.sampled_from(["/", "\\"]), min_size=2, max_size=4)
schemes = st.sampled_from(
    ["javascript", "JaVaScRiPt", "java\tscript", "data", "DATA", "vbscript", "file", "ftp"]
)
hosts = st.sampled_from(["evil.example", "evil.example:8080", "user@evil.example", "127.0.0.1"])


def _markdown_link(url: str) -> str:
    # A link as raw HTML in the Markdown (its target reaches the sanitiser exactly as given).
    return f'<a href="{html_escape(url)}">raw</a>'


@given(junk, slashes, hosts, st.sampled_from(["", "/path", "?q=1", "#x"]))
@example(" ", "//", "evil.example", "")
@example("", "/\\", "evil.example", "/x")
@example("\x01", "\\\\", "evil.example", "")
def test_protocol_relative_links_are_dropped(lead, slash, host, tail):
    # given a link that a browser reads as another site without naming a scheme
    url = f"{lead}{slash}{host}{tail}"
    # when
    html = markdown_to_html(_markdown_link(url) + f" and [md](<{url.strip()}>)")
    # then the raw link keeps no target, and the Markdown one (whose backslash escapes Markdown
    # consumes) none that a browser reads as another site
    raw, *rest = _hrefs(html)
    assert raw is None
    assert all(href is None or not _as_a_browser_reads_it(href).startswith("//") for href in rest)


@given(junk, schemes, st.sampled_from([":alert(1)", ":text/html,<b>x</b>", "://evil.example"]))
def test_links_with_a_scheme_other_than_web_or_mail_are_dropped(lead, scheme, rest):
    # given
    url = f"{lead}{scheme}{rest}"
    # when
    html = markdown_to_html(_markdown_link(url))
    # then
    assert _hrefs(html) == [None]
    assert "javascript" not in html.lower()


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from([":", ":/", ":\\", ": //"]),
    hosts,
)
def test_web_links_without_their_two_slashes_are_dropped(scheme, separator, host):
    # given "https:evil.example", which a browser may read as https://evil.example
    url = f"{scheme}{separator}{host}"
    # when
    html = markdown_to_html(_markdown_link(url))
    # then
    assert _hrefs(html) == [None]


@given(
    st.one_of(
        st.builds(
            "{}://{}{}".format,
            st.sampled_from(["http", "https"]),
            st.sampled_from(["example.org", "tandem.example:8443", "a.b.c"]),
            st.sampled_from(["", "/", "/guide?x=1#top"]),
        ),
        st.sampled_from(["mailto:someone@example.org", "/resources/12/", "#questions", "?page=2"]),
        st.from_regex(r"\A/[a-z0-9][a-z0-9/_-]{0,20}\Z"),
        st.from_regex(r"\A[a-z][a-z0-9_-]{0,10}/[a-z0-9/_-]{0,10}\Z"),
    )
)
def test_web_mail_and_local_links_are_kept(url):
    # when
    html = markdown_to_html(f"[keep]({url})")
    # then
    assert _hrefs(html) == [url]


@given(st.text(max_size=40))
def test_no_rendered_link_leaves_tandem_except_to_a_named_web_host_or_mail(url):
    # when anything at all is given as a link target
    html = markdown_to_html(_markdown_link(url) + f" [md](<{url}>)")
    # then every kept target is a local path, mailto:, or http(s) with a host
    for href in _hrefs(html):
        if href is None:
            continue
        seen = _as_a_browser_reads_it(href)
        assert not seen.startswith("//")
        scheme, colon, rest = seen.partition(":")
        if colon and scheme and all(c.isalnum() or c in "+.-" for c in scheme):
            assert scheme.lower() in ("http", "https", "mailto")
            if scheme.lower() != "mailto":
                assert rest.startswith("//")
                assert rest[2:3] not in ("", "/", "?", "#")
