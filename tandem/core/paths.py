"""URL paths for many objects at once, still asked of the URL's owner.

A path is the owning app's URL name, reversed (`reverse("meetings:detail", ...)`). Code that
builds hundreds of thousands of them (the nudge rules) reverses once, with placeholder ids, and
substitutes each object's ids into that template: `PathOf("workspace:detail")(pk)` is exactly
`reverse("workspace:detail", args=[pk])`, at the cost of a string format.
"""

from django.urls import reverse

# Ids no database hands out in practice, and distinct from one another, so each is found once
# in the reversed path and nowhere else.
_PLACEHOLDERS = (9_876_543_211, 9_876_543_223, 9_876_543_237)


class PathOf:
    """The path of the URL named `viewname` for `arity` integer ids, reversed on first use."""

    __slots__ = ("_template", "arity", "viewname")

    def __init__(self, viewname: str, *, arity: int = 1) -> None:
        if not 1 <= arity <= len(_PLACEHOLDERS):
            raise ValueError(f"PathOf takes 1 to {len(_PLACEHOLDERS)} ids, not {arity}.")
        self.viewname = viewname
        self.arity = arity
        self._template: str | None = None

    def template(self) -> str:
        """The reversed path with `{0}`, `{1}`... where the ids go."""
        if self._template is None:
            placeholders = _PLACEHOLDERS[: self.arity]
            path = reverse(self.viewname, args=placeholders)
            template = path.replace("{", "{{").replace("}", "}}")
            for index, placeholder in enumerate(placeholders):
                if template.count(str(placeholder)) != 1:
                    raise ValueError(f"Cannot make a template of {self.viewname}: {path}")
                template = template.replace(str(placeholder), f"{{{index}}}")
            self._template = template
        return self._template

    def __call__(self, *ids: int) -> str:
        if len(ids) != self.arity:
            raise TypeError(f"{self.viewname} takes {self.arity} id(s), not {len(ids)}.")
        return self.template().format(*(int(value) for value in ids))

    def __repr__(self) -> str:
        return f"PathOf({self.viewname!r}, arity={self.arity})"
