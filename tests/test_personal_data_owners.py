"""Every model that holds rows about a person has an owner who answers for them in a personal
data export (GDPR articles 15 and 20) and in an erasure (article 17): its app's
`personal_data.py` lists it in `COVERS` and has an `erase`. A new model with a foreign key to a
person fails here until its app says what it exports and what erasing does to it, or it is
named below with the reason it holds nothing about the person beyond who set something up."""

from django.apps import apps
from django.contrib.auth import get_user_model

from tandem.core.personal_data import personal_data_providers

# Models whose only link to a person records who configured something of the organisation: the
# row is the organisation's, not about the person. Erasure leaves them: the account they point to
# is pseudonymised ("Former member", no email), so they name nobody.
AUTHORSHIP_ONLY = {
    "people.PeopleImport": "the admin who ran an import",
    "programs.Program": "the manager who created the programme",
    "webhooks.WebhookEndpoint": "the admin who added the endpoint",
    "resources.Resource": "the manager who added the resource",
    "agreements.AgreementTemplate": "the manager who last edited the template",
    "surveys.SurveyVersion": "the manager who wrote the version",
    "matching.MatchRun": "the manager who started and published the run",
    "matching.PairRule": "the manager who set the rule",
    "outcomes.OutcomesImport": "the admin who ran the import",
    "provisioning.ScimToken": "the admin who created the token",
    "provisioning.HrSyncRun": "the admin (or the organisation's standing admin) who ran the sync",
    "sso.IdentityProvider": "the admin who connected the provider",
    "accounts.Organization": "the admin named as the single sign-on break-glass account",
    # A secret for the calendar feed, not data about the person: exporting it would leak it.
    "meetings.CalendarFeedToken": "a secret (its hash), nothing about the person",
}


def _models_linking_a_person() -> set[str]:
    user_model = get_user_model()
    return {
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("tandem.")
        and (
            model is user_model
            or any(
                field.is_relation and field.related_model is user_model
                for field in model._meta.concrete_fields
            )
        )
    }


def test_every_model_linking_a_person_is_exported_or_named():
    # given every model with a foreign key to a person
    linking = _models_linking_a_person()
    covered = {label for provider in personal_data_providers() for label in provider.covers}
    # then each is covered by its app's provider or named as authorship only
    assert sorted(linking - covered - set(AUTHORSHIP_ONLY)) == []


def test_providers_cover_only_their_own_apps_models_and_nothing_twice():
    # given every provider
    providers = personal_data_providers()
    labels = [label for provider in providers for label in provider.covers]
    # then each label is a real model of the provider's own app, listed once
    assert len(labels) == len(set(labels))
    for provider in providers:
        for label in provider.covers:
            assert apps.get_model(label)._meta.app_label == provider.app_label
    # and the named exceptions are real models no provider covers
    for label in AUTHORSHIP_ONLY:
        apps.get_model(label)
        assert label not in labels


def test_every_provider_of_a_person_linking_model_answers_for_erasure():
    # given the providers covering a model with a foreign key to a person
    linking = _models_linking_a_person()
    owing = [
        provider
        for provider in personal_data_providers()
        if any(label in linking for label in provider.covers)
    ]
    # then each has an erase function (article 17), and so does every provider: an export
    # names what an erasure must answer for
    assert owing
    assert sorted(provider.app_label for provider in owing if provider.erase is None) == []
    assert [
        provider.app_label for provider in personal_data_providers() if not provider.erase
    ] == []
