"""What every bulk action's preview shares: rows that say, per person, whether the action is
done or skipped, and a fingerprint of that outcome. The confirm runs the same rows again and
keeps nothing unless its fingerprint is the one the actor was shown."""

import hashlib
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar


class PreviewRow(Protocol):
    @property
    def user_id(self) -> int: ...

    @property
    def done(self) -> bool: ...


Row = TypeVar("Row", bound=PreviewRow)


class PreviewedRows(Generic[Row]):
    """Mixed into a bulk outcome dataclass that has `rows`."""

    rows: Sequence[Row]

    @property
    def done(self) -> list[Row]:
        return [row for row in self.rows if row.done]

    @property
    def skipped(self) -> list[Row]:
        return [row for row in self.rows if not row.done]

    @property
    def fingerprint(self) -> str:
        """What the actor was shown: who is done and who is skipped, in order."""
        text = "|".join(f"{row.user_id}:{int(row.done)}" for row in self.rows)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
