"""Organisations, the people who sign in, their roles, invitations and API tokens."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tandem.accounts.names import display_name, short_name
from tandem.core.aggregates import MIN_GROUP, MIN_GROUP_FLOOR
from tandem.core.models import TimeStampedModel


class Organization(TimeStampedModel):
    """A tenant: one company or network running its mentoring programmes on Tandem."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # The smallest group of people an aggregate shown to managers covers
    # (`tandem.core.aggregates`; read through `accounts.selectors.aggregate_min_group`).
    # db_default too: rows written without the column (older code, a migration's historical
    # model) get the same default from the database.
    aggregate_min_group_size = models.PositiveSmallIntegerField(
        default=MIN_GROUP,
        db_default=MIN_GROUP,
        help_text=(
            "Managers see averages and counts only over at least this many people "
            f"(at least {MIN_GROUP_FLOOR})."
        ),
    )

    # Single sign-on (tandem/sso): when required, passwords and sign-in links are refused to
    # everyone of the organisation but the break-glass admin, who keeps a way in while the
    # identity provider is down or misconfigured.
    sso_required = models.BooleanField(default=False, db_default=False)
    sso_break_glass_admin = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The language a new person of the organisation starts in (tandem/accounts/languages.py).
    default_language = models.CharField(
        max_length=16, choices=settings.LANGUAGES, default="en-gb", db_default="en-gb"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(aggregate_min_group_size__gte=MIN_GROUP_FLOOR),
                name="organization_aggregate_min_group_at_least_floor",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a person may do in their organisation. Ordered from most to least power."""

    ORG_ADMIN = "org_admin", gettext_lazy("Organisation admin")
    PROGRAM_MANAGER = "program_manager", gettext_lazy("Programme manager")
    MEMBER = "member", gettext_lazy("Member")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can sign in. Belongs to one organisation (platform staff may belong to none)."""

    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # What the person reads Tandem in: pages, emails, pushes (tandem/accounts/languages.py).
    language = models.CharField(
        max_length=16, choices=settings.LANGUAGES, default="en-gb", db_default="en-gb"
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # Emails are compared case-insensitively everywhere; the database agrees.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "role"]),
            # Lists of people in name order (a programme's participants, the people directory)
            # walk this index and stop at the page's last row instead of sorting everyone (the
            # organisation is the programme's, so it is not a column here: see
            # participants.selectors.participant_list_for_program).
            models.Index(fields=["last_name", "first_name", "email"], name="user_name_order"),
            # The people directory and the Access and roles page: one organisation's people
            # in name order, the id last as their order has it, so a seek page (`after=`,
            # `before=`) starts at its cursor and stops at its last row.
            models.Index(
                fields=["organization", "last_name", "first_name", "email", "id"],
                name="user_org_name_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name every page, email and API field shows (`tandem.accounts.names`)."""
        return display_name(self)

    @property
    def short_name(self) -> str:
        """The first name for greetings, else the display name (`tandem.accounts.names`)."""
        return short_name(self)

    @property
    def full_name(self) -> str:
        """The name as typed, whitespace collapsed; blank when none (a "Name" column)."""
        return " ".join(f"{self.first_name} {self.last_name}".split())

    def get_full_name(self) -> str:
        # Django's hook (admin, auth) reads the one display name.
        return self.display_name

    def get_short_name(self) -> str:
        return self.short_name

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN

    @property
    def can_create_programs(self) -> bool:
        return self.role in {Role.ORG_ADMIN, Role.PROGRAM_MANAGER}


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


class Invitation(TimeStampedModel):
    """An emailed offer to join an organisation with a role. The link carries a signed id."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per address and organisation: re-inviting renews it.
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]
        indexes = [
            # The admins' pending list, newest first, paged by a cursor (decision 0020):
            # partial, as that list's status is fixed.
            models.Index(
                fields=["organization", "-created_at", "-id"],
                condition=models.Q(status="pending"),
                name="invitation_org_pending_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_status_display()})"


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 digest is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The address of the last use kept (`last_used_at` is kept at most once a minute).
    last_used_address = models.GenericIPAddressField(null=True, blank=True)
    # The `last_used_at` the audit trail last recorded (`services.api_token_use_audit`).
    audited_use_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
