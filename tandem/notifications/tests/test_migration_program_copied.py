"""Migration 0005: the outbox's programme link becomes a plain id, and the rows still to be sent
get the name and colour of their programme (sent and skipped ones are never rendered again)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("notifications", "0004_outbox_program_plain_link"), ("programs", "0003_program_colour")]
AFTER = [("notifications", "0005_outbox_program_copied")]
STATUSES = ["pending", "sending", "failed", "sent", "skipped"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_unsent_rows_get_their_programmes_name_and_colour():
    # given rows of every status, about a programme, about a deleted one, and about none
    old = _migrate(BEFORE)
    Organization = old.get_model("accounts", "Organization")
    User = old.get_model("accounts", "User")
    Program = old.get_model("programs", "Program")
    OutboxMessage = old.get_model("notifications", "OutboxMessage")
    org = Organization.objects.create(name="Northwind", slug="northwind-migration")
    person = User.objects.create(email="ada.migration@northwind.test", organization=org)
    program = Program.objects.create(
        organization=org, name="Leadership cohort", colour="#1a7f37", is_ongoing=True
    )
    now = timezone.now()
    about = {"program": program.pk, "gone": program.pk + 1000, "none": None}
    for status in STATUSES:
        for label, program_id in about.items():
            OutboxMessage.objects.create(
                key=f"{status}:{label}",
                rule="test",
                category="reminders",
                recipient_id=person.pk,
                program_id=program_id,
                subject="s",
                status=status,
                sent_at=now if status == "sent" else None,
                next_attempt_at=now,
                not_before=now,
                message_id=f"<{status}.{label}@test>",
            )
    try:
        # when
        new = _migrate(AFTER)
        # then
        rows = {
            key: rest
            for key, *rest in new.get_model("notifications", "OutboxMessage").objects.values_list(
                "key", "program_id", "program_name", "program_colour"
            )
        }
        expected = {}
        for status in STATUSES:
            unsent = status in ("pending", "sending", "failed")
            expected[f"{status}:program"] = [
                program.pk,
                "Leadership cohort" if unsent else "",
                "#1a7f37" if unsent else "",
            ]
            expected[f"{status}:gone"] = [program.pk + 1000, "", ""]
            expected[f"{status}:none"] = [None, "", ""]
        assert rows == expected
    finally:
        _migrate(_migrate_to_latest_targets())


def _migrate_to_latest_targets():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()
