"""The audit trail never holds anyone's private words.

Two guards. Structurally: no model that holds private content is registered with
django-auditlog, and no registered column is an encrypted one. By example: the pair writes
distinctive private words everywhere they can (`tests/test_admin_privacy.private_everywhere`),
then managers and admins do every audited thing around them (end the pair with a reason,
export, change settings, import, sign in), and no audit row holds any of those words.
"""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.audit.models import AuditEntry
from tandem.audit.registry import PRIVATE_MODELS, PrivateModelError, audit_model, registered_models
from tandem.core.encryption import EncryptedJSONField, EncryptedTextField
from tests.test_admin_privacy import PRIVATE, private_everywhere  # noqa: F401 (a fixture)

# Apps whose every model is the pair's private space.
PRIVATE_APPS = {"journals", "conversations", "feedback", "assessments", "goals", "actions"}


def test_no_model_holding_private_content_is_audited():
    registered = {model._meta.label_lower for model in registered_models()}
    assert registered  # the walk below is not vacuous
    assert registered & PRIVATE_MODELS == set()
    assert {label for label in registered if label.split(".")[0] in PRIVATE_APPS} == set()


def test_no_encrypted_column_of_any_model_is_audited():
    from auditlog.registry import auditlog

    for model in registered_models():
        included = auditlog.get_model_fields(model)["include_fields"]
        assert included, f"{model._meta.label} must list its audited fields"
        for name in included:
            field = model._meta.get_field(name)
            assert not isinstance(field, EncryptedTextField | EncryptedJSONField), name


def test_every_private_model_exists_so_the_deny_list_is_not_stale():
    labels = {model._meta.label_lower for model in apps.get_models()}
    assert PRIVATE_MODELS - labels == set()


@pytest.mark.parametrize("label", sorted(PRIVATE_MODELS))
def test_registering_a_private_model_is_refused(label):
    model = apps.get_model(label)
    with pytest.raises(PrivateModelError):
        audit_model(model, fields=[], organization=lambda row: None)
    assert model not in registered_models()


def test_registering_an_encrypted_column_is_refused_even_off_the_deny_list(monkeypatch):
    # given a model holding an encrypted column, taken off the deny list
    from tandem.audit import registry
    from tandem.surveys.models import SurveyAnswer

    monkeypatch.setattr(registry, "PRIVATE_MODELS", frozenset())
    encrypted = next(
        field.name
        for field in SurveyAnswer._meta.get_fields()
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    )
    # when / then its encrypted column is still refused
    with pytest.raises(PrivateModelError, match=f"surveys.surveyanswer.{encrypted}"):
        audit_model(SurveyAnswer, fields=[encrypted], organization=lambda row: None)
    assert SurveyAnswer not in registered_models()


def test_no_audit_row_holds_private_words_after_every_audited_action(
    private_everywhere,  # noqa: F811
    api_as,
    client,
):
    # given the pair's private words everywhere, and the people around them at work
    cast = private_everywhere.cast
    relationship = private_everywhere.relationship
    manager, admin = api_as(cast.manager), api_as(cast.admin)
    program = cast.program.pk
    # when they do every audited thing
    client.post(reverse("accounts:login"), {"email": cast.mentee.email, "password": "wrong"})
    client.post(
        reverse("accounts:login"), {"email": cast.mentee.email, "password": DEFAULT_PASSWORD}
    )
    manager.client.get(f"/api/v1/programs/{program}/participants/export", headers=manager.headers)
    admin.client.get("/api/v1/people/export", headers=admin.headers)
    admin.patch("organization/settings", {"aggregate_min_group_size": 6})
    admin.put(f"programs/{program}/matching/settings", {"weights": {"skills": 4}})
    admin.post(f"members/{cast.member.pk}/role", {"role": "program_manager"})
    admin.post("invitations", {"email": "someone@northwind.test", "role": "member"})
    ended = manager.post(
        f"relationships/{relationship.pk}/end",
        {"reason": f"{PRIVATE['message']} again", "find_new_match": True},
    )
    assert ended.status_code == 200
    client.force_login(cast.admin)
    listed = client.get(reverse("audit:list"))
    exported = client.get(reverse("audit:export"))
    api_listed = admin.get("audit/entries", {"limit": 500})
    # then the trail recorded them
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {
        "sign_in.failed",
        "sign_in.succeeded",
        "export.downloaded",
        "settings.changed",
        "matchingsettings.created",
        "user.changed",
        "invitation.created",
        "relationship.ended",
    } <= events
    # and no row, page, download or API answer holds any private word
    dumped = json.dumps(list(AuditEntry.objects.values()), default=str).lower()
    shown = (
        listed.content.decode()
        + b"".join(exported.streaming_content).decode()
        + api_listed.content.decode()
    ).lower()
    leaks = [kind for kind, secret in PRIVATE.items() if secret in dumped or secret in shown]
    assert leaks == []
