"""The scrub that takes an erased person's name out of text others hold: in HTML the name is
found however it was escaped, and nothing else of the text changes."""

import html

from django.utils.html import escape, format_html
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.personal_data import FORMER_MEMBER, html_forms, scrub

# Names with the characters HTML escapes among letters that it does not (a name is never a
# lone "<": the identifiers are full names and email addresses).
NAMES = st.builds(
    lambda first, last: f"Ann{first} Lee{last}",
    st.text(alphabet="'&<>\"aZé-", max_size=6),
    st.text(alphabet="'&<>\"aZé-", max_size=6),
)


@given(name=NAMES)
def test_a_name_escaped_in_html_is_scrubbed_in_every_escaping(name):
    # given an HTML body naming the person as Django's templates, html.escape and markupsafe
    # (&#39;, &#34;) write it, and as typed in a text node
    bodies = [
        str(format_html("<p>{} wrote</p>", name)),
        f"<p>{escape(name)}</p>",
        f"<p>{html.escape(name, quote=False)}</p>",
        "<p>" + html.escape(name).replace("&#x27;", "&#39;").replace("&quot;", "&#34;") + "</p>",
    ]
    for body in bodies:
        # when it is scrubbed with the name's HTML forms
        scrubbed = scrub(body, html_forms([name]))
        # then the name is gone in every form, the markup around it kept
        for form in html_forms([name]):
            assert form.lower() not in scrubbed.lower().replace(FORMER_MEMBER.lower(), "")
        assert scrubbed.startswith("<p>")
        assert FORMER_MEMBER in scrubbed


@given(name=NAMES)
def test_html_forms_hold_the_name_as_typed_and_escaped_longest_first(name):
    forms = html_forms([name])
    assert name in forms
    assert html.escape(name) in forms
    assert [len(form) for form in forms] == sorted((len(form) for form in forms), reverse=True)
