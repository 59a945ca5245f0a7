"""The outbox in the admin (state, never bodies) and the deliver_outbox command."""

import io

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import OutboxMessage, outbox_message_id
from tandem.notifications.tasks import outbox_deliver_task


def _rows(count, person, **extra):
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            **{
                "key": f"cmd:{index}",
                "rule": "cmd",
                "category": "nudges",
                "recipient": person,
                "subject": f"Private subject {index}",
                "text_body": f"Private body {index}",
                "next_attempt_at": now,
                "not_before": now,
                "message_id": outbox_message_id(f"cmd:{index}", "tandem.test"),
                **extra,
            }
        )
        for index in range(count)
    )


def test_the_command_delivers_batches_while_rows_are_due(db):
    # given
    _rows(7, UserFactory())
    out = io.StringIO()
    # when
    call_command("deliver_outbox", "--batch", "3", stdout=out)
    # then
    assert out.getvalue() == "sent 7, retrying 0, failed 0, taken over 0\n"
    assert len(mail.outbox) == 7
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_the_command_once_delivers_one_batch(db):
    # given
    _rows(5, UserFactory())
    # when
    call_command("deliver_outbox", "--once", "--batch", "2", stdout=io.StringIO())
    # then
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [
        "pending",
        "pending",
        "pending",
        "sent",
        "sent",
    ]


def test_the_admin_shows_delivery_state_but_not_private_content(
    db, client, django_assert_max_num_queries
):
    # given
    person = UserFactory(email="ada@northwind.test")
    _rows(12, person, status="failed", attempts=5, last_error="OSError('refused')")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    # when
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    detail = client.get(
        reverse(
            "admin:notifications_outboxmessage_change",
            args=[OutboxMessage.objects.first().pk],
        )
    )
    # then
    html = response.content.decode() + detail.content.decode()
    assert response.status_code == detail.status_code == 200
    assert "cmd:11" in html
    assert escape(str(person)) in html
    assert "OSError(&#x27;refused&#x27;)" in html
    assert "Private" not in html


def test_the_admin_retry_action_gives_failed_rows_new_attempts(db, client):
    # given
    _rows(2, UserFactory(), status="failed", attempts=5)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    # when
    response = client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": ids},
    )
    # then
    assert response.status_code == 302
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 0)}


def test_the_task_delivers_every_row_it_was_kicked_for_and_only_those(db):
    # given
    person = UserFactory()
    _rows(250, person)
    kicked = list(OutboxMessage.objects.order_by("id").values_list("pk", flat=True)[:230])
    # when
    sent = outbox_deliver_task.call(worker_id="kick", message_ids=kicked)
    # then
    assert sent == 230
    assert OutboxMessage.objects.filter(status="sent").count() == 230
    assert set(OutboxMessage.objects.exclude(pk__in=kicked).values_list("status", flat=True)) == {
        "pending"
    }
