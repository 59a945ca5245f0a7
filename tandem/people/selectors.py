"""Every read about people, scoped to the caller's organisation."""

import zoneinfo
from collections.abc import Iterable, Iterator

from django.db.models import Count, Q, QuerySet

from tandem.accounts.models import Role, User
from tandem.people import csvfile
from tandem.people.models import Profile, Skill
from tandem.people.permissions import organization_id_of
from tandem.people.zones import zone_name_or_utc


def profile_get(*, actor: User) -> Profile | None:
    """The actor's own profile with its skills loaded, or None before their first visit."""
    return (
        Profile.objects.filter(user=actor)
        .select_related("user")
        .prefetch_related("skills_offered", "skills_wanted")
        .first()
    )


def profile_for_person(*, person: User) -> Profile | None:
    """Someone else's profile for a page the caller already guarded (org admins, managers of
    their programmes), skills loaded; None before the person's first visit."""
    return (
        Profile.objects.filter(user=person)
        .select_related("manager")
        .prefetch_related("skills_offered", "skills_wanted")
        .first()
    )


def profile_timezone_get(*, user: User) -> str:
    """The IANA name of the time zone `user` works in: THE reader of a person's zone.

    UTC before they have a profile or when its name is blank or unknown (`people.zones`). No
    query when the profile is already loaded on `user` (select_related, or an earlier read),
    else one. The caller shows `user` their own times, so no scoping is needed."""
    try:
        # Through the descriptor, so the profile is cached on `user`: the page's next read of
        # the viewer's zone (panels, dates, times) costs nothing.
        name: str | None = user.profile.timezone
    except Profile.DoesNotExist:
        name = None
    return zone_name_or_utc(name)


def profile_zone_get(*, user: User) -> zoneinfo.ZoneInfo:
    """`profile_timezone_get` as a zone to convert times with."""
    return zoneinfo.ZoneInfo(profile_timezone_get(user=user))


def profile_timezones_get(*, user_ids: Iterable[int]) -> dict[int, str]:
    """`profile_timezone_get` for many people in one query: every id asked for is a key."""
    ids = list(dict.fromkeys(user_ids))
    found = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "timezone"))
    return {user_id: zone_name_or_utc(found.get(user_id)) for user_id in ids}


def skill_list(*, actor: User, search: str = "") -> QuerySet[Skill]:
    """The actor's organisation's skill list, each with how many profiles offer and want it."""
    queryset = Skill.objects.filter(organization_id=organization_id_of(actor)).annotate(
        offered_count=Count("offered_by", distinct=True),
        wanted_count=Count("wanted_by", distinct=True),
    )
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("name", "pk")


def skill_choices(*, actor: User) -> QuerySet[Skill]:
    """The skills a person of the actor's organisation may pick for their profile."""
    return Skill.objects.filter(organization_id=organization_id_of(actor)).order_by("name", "pk")


def skill_usage(*, skill: Skill) -> int:
    """How many profiles offer or want the skill (what deleting it would touch)."""
    return (
        Profile.objects.filter(Q(skills_offered=skill) | Q(skills_wanted=skill)).distinct().count()
    )


def person_list_for_org_admin(
    *, actor: User, search: str = "", department: str = "", role: str = ""
) -> QuerySet[User]:
    """The people of the actor's organisation, with profiles and managers, for the directory
    and the Access and roles page: every word of `search` in the name, email or department."""
    queryset = (
        User.objects.filter(organization_id=organization_id_of(actor))
        .select_related("profile", "profile__manager")
        .order_by("last_name", "first_name", "email", "pk")
    )
    for word in search.split():
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(profile__department__icontains=word)
        )
    if department:
        queryset = queryset.filter(profile__department__iexact=department)
    if role in Role.values:
        queryset = queryset.filter(role=role)
    return queryset


def department_list(*, actor: User) -> list[str]:
    """The departments people of the actor's organisation work in, for the directory filter."""
    return list(
        Profile.objects.filter(user__organization_id=organization_id_of(actor))
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def people_export_rows(*, actor: User) -> Iterator[list[str]]:
    """One CSV row per person of the actor's organisation, in the import's column order.

    A single query (profile and manager joined), streamed in chunks.
    """
    queryset = (
        User.objects.filter(organization_id=organization_id_of(actor))
        .select_related("profile", "profile__manager")
        .order_by("email")
    )
    for user in queryset.iterator(chunk_size=2000):
        try:
            profile: Profile | None = user.profile
        except Profile.DoesNotExist:
            profile = None
        yield _export_row(user, profile)


def people_export_csv(*, actor: User) -> Iterator[bytes]:
    """The export file, encoded: UTF-8 with a BOM so Excel reads accents right."""
    for line in csvfile.write_rows(people_export_rows(actor=actor)):
        yield line.encode("utf-8")


def _export_row(user: User, profile: Profile | None) -> list[str]:
    values = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": profile.job_title if profile else "",
        "department": profile.department if profile else "",
        "location": profile.location if profile else "",
        "timezone": profile.timezone if profile else "",
        "manager_email": profile.manager.email if profile and profile.manager else "",
        "hire_date": profile.hire_date.isoformat() if profile and profile.hire_date else "",
    }
    return [values[name] for name, _ in csvfile.COLUMNS]
