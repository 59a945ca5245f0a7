"""Nudges in each recipient's language: one due nudge told to an English and a Spanish reader
is an English and a Spanish email, every rule's message is translated, and the settings page
reads in Spanish."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from tandem.notifications.models import Notification, OutboxMessage
from tandem.notifications.services import outbox_deliver_batch
from tandem.nudges.rules import RULES
from tandem.nudges.rules.words import Day, Words
from tandem.nudges.services import nudges_evaluate
from tandem.nudges.tests.conftest import later


@pytest.fixture(autouse=True)
def _source_language_after_each_test():
    # A signed-in request activates its reader's language for the rest of the thread
    # (PersonLanguageMiddleware does not deactivate it): leave the next test in the default.
    yield
    translation.deactivate()


RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _message_msgids() -> list[str]:
    """Every sentence a rule writes to people: the msgids its `gettext_noop` marks."""
    found = []
    for path in sorted(RULES_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "gettext_noop"
            ):
                found.append(ast.literal_eval(node.args[0]))
    return found


MSGIDS = _message_msgids()


def test_every_rule_has_its_words_marked():
    # the table's labels and each family's messages: well over one sentence a rule
    assert len(MSGIDS) > 3 * len(RULES)


@pytest.mark.parametrize("msgid", MSGIDS)
def test_every_sentence_a_rule_writes_reads_in_spanish(msgid):
    # when a rule's sentence is put into Spanish
    with translation.override("es"):
        spanish = gettext(msgid)

    # then it is translated, with the same placeholders
    assert spanish != msgid or msgid.strip("%()s: ") == ""
    assert sorted(PLACEHOLDER.findall(spanish)) == sorted(PLACEHOLDER.findall(msgid))


@given(day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_a_date_reads_as_before_in_english_and_with_a_spanish_month_in_spanish(day):
    words = Words("due on %(due)s", {"due": Day(day)})
    assert words == f"due on {day:%d %b %Y}"
    with translation.override("es"):
        spanish = str(Day(day))
    assert spanish.split(" ")[1].lower() in {
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"
    }  # fmt: skip


def test_one_nudge_reaches_each_person_in_their_own_language(
    pair, django_capture_on_commit_callbacks
):
    # given an active pair that has not signed its agreement: the mentor reads English, the
    # mentee Spanish
    pair.mentor.language = "en-gb"
    pair.mentor.save(update_fields=["language"])
    pair.mentee.language = "es"
    pair.mentee.save(update_fields=["language"])
    (agreement_rule,) = [rule for rule in RULES if rule.name == "agreement_unsigned"]

    # when the rule falls due and the outbox delivers
    with django_capture_on_commit_callbacks(execute=False):
        nudges_evaluate(now=later(days=7, seconds=1), rules=(agreement_rule,))
    outbox_deliver_batch(worker_id="test")

    # then each person has the same message in their own language, in-app and by email
    emails = {message.to[0]: message for message in mail.outbox}
    to_mentor, to_mentee = emails[pair.mentor.email], emails[pair.mentee.email]
    assert to_mentor.subject == "Your mentoring agreement is not signed yet"
    assert to_mentee.subject == "Vuestro acuerdo de mentoría aún no está firmado"
    assert "have not both signed your agreement yet" in to_mentor.body
    assert "aún no habéis firmado los dos vuestro acuerdo" in to_mentee.body
    assert "Dejar de recibir estos correos" in to_mentee.body
    assert "have not both signed" not in to_mentee.body
    mentee_titles = set(
        Notification.objects.filter(user=pair.mentee).values_list("title", flat=True)
    )
    assert "Vuestro acuerdo de mentoría aún no está firmado" in mentee_titles
    assert "Your mentoring agreement is not signed yet" not in mentee_titles
    # and the outbox still knows it by one key per person (exactly once, whatever the language)
    keys = list(
        OutboxMessage.objects.filter(
            key__startswith=f"agreement_unsigned:{pair.relationship.pk}:"
        ).values_list("key", flat=True)
    )
    assert sorted(key.split(":")[2] for key in keys) == sorted(
        str(user.pk) for user in (pair.mentor, pair.mentee)
    )


def test_the_settings_page_reads_in_spanish(pair, client):
    # given the programme's manager reads Spanish
    manager = pair.cast.manager
    manager.language = "es"
    manager.save(update_fields=["language"])
    client.force_login(manager)

    # when they open the programme's nudges
    page = client.get(f"/programs/{pair.cast.program.pk}/nudges/")

    # then the rules, their descriptions and the weekdays are Spanish
    text = page.content.decode()
    assert page.status_code == 200
    assert "Acuerdo aún sin firmar" in text
    assert (
        "Recuerda a una pareja que no ha firmado su acuerdo. Se envía a: el mentor y el mentee."
        in (text)
    )
    assert "lunes" in text
    assert "Agreement still unsigned" not in text
