"""The domain's error vocabulary.

Services raise these; the API turns them into problem+json (RFC 9457) and the HTML views into
form errors or messages. A domain error never carries an HTTP object, only a status hint.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with one input: which field (dotted path), and why in plain words.

    `row` is set when the input is a file with rows (CSV import): the 1-based line number a
    person would see in a spreadsheet.
    """

    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass
class DomainError(Exception):
    """A use case refused the request. `status` is the HTTP status the API answers with."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    status: int = 400
    title: str = gettext_noop("The request breaks a rule")
    code: str = "business-rule"

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    def __str__(self) -> str:
        return self.detail


class InvalidInput(DomainError):
    """Input that is well-formed but not acceptable (a field-level rule)."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(
            detail=detail,
            errors=errors or [],
            status=400,
            title=gettext_noop("Some of the input is not valid"),
            code="invalid-input",
        )

    @classmethod
    def for_field(cls, field_name: str, message: str) -> "InvalidInput":
        return cls(message, [FieldError(field_name, message)])


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists (never a 403 for those)."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail=gettext("Not found.") if detail is None else detail,
            status=404,
            title=gettext_noop("Not found"),
            code="not-found",
        )


class Forbidden(DomainError):
    """The caller can see the object but their role does not allow this action on it."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail=detail, status=403, title=gettext_noop("Not allowed"), code="forbidden"
        )


class Conflict(DomainError):
    """The action clashes with the object's current state (a duplicate, an invalid transition)."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(
            detail=detail,
            errors=errors or [],
            status=409,
            title=gettext_noop("Conflict"),
            code="conflict",
        )
