"""What agreements holds about a person: their signatures on their pairs' agreements."""

from tandem.accounts.models import User
from tandem.agreements.models import AgreementSignature
from tandem.core.personal_data import ErasureReport, Section, rows_of

COVERS = ("agreements.AgreementSignature", "agreements.Agreement")


def export(user: User) -> list[Section]:
    return [
        Section(
            "agreement_signatures",
            "The mentoring agreements you signed.",
            rows_of(
                AgreementSignature.objects.filter(user=user),
                ("agreement__relationship_id", "version", "signed_at"),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # The agreement is the pair's, and that it was signed stays true.
    return ErasureReport().kept(
        "agreements.AgreementSignature", AgreementSignature.objects.filter(user=user).count()
    )
