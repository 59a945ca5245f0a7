"""SCIM 2.0 payloads (RFC 7643) through scim2-models: Tandem's rows as SCIM resources and
back, and what the discovery endpoints publish.

Tandem serves a subset of the core User schema (userName, name.givenName/familyName,
displayName read-only, title, active, emails with value/type/primary, groups read-only), the
enterprise extension's employeeNumber, department and manager.value/$ref, and Groups with
displayName and members (value, $ref; people only). The published Schemas say exactly this,
so a client knows what round-trips; an attribute outside them is accepted and ignored.
"""

import hashlib
import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from scim2_models import Attribute as SchemaAttribute
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    Manager,
    Meta,
    Mutability,
    Name,
    Patch,
    Required,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from tandem.accounts.models import User as Person
from tandem.people.models import DirectoryGroup
from tandem.provisioning.services import GroupFields, PersonFields

ScimUser = User[EnterpriseUser]
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_COUNT = 200
DEFAULT_COUNT = 100

# What Tandem stores, per attribute; sub-attributes listed where a complex one is kept in part.
_USER_KEPT: dict[str, set[str] | None] = {
    "userName": None,
    "name": {"givenName", "familyName"},
    "displayName": None,
    "title": None,
    "active": None,
    "emails": {"value", "type", "primary"},
    "groups": {"value", "$ref", "display"},
}
_USER_REQUIRED = {"userName", "emails"}
_USER_READ_ONLY = {"displayName"}
_ENTERPRISE_KEPT: dict[str, set[str] | None] = {
    "employeeNumber": None,
    "department": None,
    "manager": {"value", "$ref"},
}
_GROUP_KEPT: dict[str, set[str] | None] = {"displayName": None, "members": {"value", "$ref"}}


def _trim(
    schema: Schema,
    kept: dict[str, set[str] | None],
    required: set[str] = frozenset(),  # type: ignore[assignment]
    read_only: set[str] = frozenset(),  # type: ignore[assignment]
) -> Schema:
    attributes: list[SchemaAttribute] = []
    for attribute in schema.attributes or []:
        if attribute.name not in kept:
            continue
        sub_kept = kept[attribute.name]
        update: dict[str, Any] = {}
        if sub_kept is not None:
            update["sub_attributes"] = [
                sub for sub in attribute.sub_attributes or [] if sub.name in sub_kept
            ]
            if attribute.name == "members":
                update["sub_attributes"] = [
                    sub.model_copy(update={"reference_types": ["User"]})
                    if sub.name == "$ref"
                    else sub
                    for sub in update["sub_attributes"]
                ]
        if attribute.name in required:
            update["required"] = Required.true
            # Tandem needs the value itself (the person's email), not only the entry.
            if "sub_attributes" in update:
                update["sub_attributes"] = [
                    sub.model_copy(update={"required": Required.true})
                    if sub.name == "value"
                    else sub
                    for sub in update["sub_attributes"]
                ]
        if attribute.name in read_only:
            update["mutability"] = Mutability.read_only
        attributes.append(attribute.model_copy(update=update))
    return schema.model_copy(update={"attributes": attributes})


def schemas(base_url: str) -> list[Schema]:
    published = [
        _trim(User.to_schema(), _USER_KEPT, _USER_REQUIRED, _USER_READ_ONLY),
        _trim(EnterpriseUser.to_schema(), _ENTERPRISE_KEPT),
        _trim(Group.to_schema(), _GROUP_KEPT),
    ]
    return [
        schema.model_copy(
            update={
                "meta": Meta(resource_type="Schema", location=f"{base_url}/Schemas/{schema.id}")
            }
        )
        for schema in published
    ]


def resource_types(base_url: str) -> list[ResourceType]:
    types = [ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)]
    return [
        rt.model_copy(
            update={
                "meta": Meta(
                    resource_type="ResourceType", location=f"{base_url}/ResourceTypes/{rt.id}"
                )
            }
        )
        for rt in types
    ]


def service_provider_config(base_url: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A SCIM token an organisation admin creates in Tandem.",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url}/ServiceProviderConfig",
        ),
    )


def _version(payload: dict[str, Any]) -> str:
    """A weak ETag over the representation: it changes whenever anything served changes."""
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    return f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'


def _identity(person: Person) -> Any:
    return getattr(person, "scim_identity", None) if _has(person, "scim_identity") else None


def _has(instance: Any, relation: str) -> bool:
    try:
        getattr(instance, relation)
    except ObjectDoesNotExist:
        return False
    return True


def _email_type(value: str) -> Any:
    try:
        return Email.Type(value)
    except ValueError:
        return value


def user_resource(person: Person, base_url: str) -> Any:
    """A person as a SCIM User (with the enterprise extension), from the selector's row."""
    identity = _identity(person)
    profile = person.profile if _has(person, "profile") else None
    # Built without validation: pydantic's email check refuses addresses Tandem already
    # holds (an internal or reserved domain such as .local or .test), which must still be
    # served as they are.
    email = Email.model_construct(
        value=person.email,
        type=_email_type(identity.email_type) if identity and identity.email_type else None,
        primary=identity.email_primary if identity else True,
    )
    enterprise = EnterpriseUser(
        employee_number=(identity.employee_number or None) if identity else None,
        department=(profile.department or None) if profile else None,
        manager=Manager.model_validate(
            {"value": str(profile.manager_id), "$ref": f"{base_url}/Users/{profile.manager_id}"}
        )
        if profile and profile.manager_id
        else None,
    )
    groups = [
        GroupMembership.model_validate(
            {
                "value": str(membership.group_id),
                "$ref": f"{base_url}/Groups/{membership.group_id}",
                "display": membership.group.display_name,
                "type": "direct",
            }
        )
        for membership in person.group_memberships.all()
    ]
    given, family = person.first_name, person.last_name
    resource = ScimUser(
        id=str(person.pk),
        external_id=(identity.external_id or None) if identity else None,
        user_name=getattr(person, "scim_user_name", None)
        or (identity.user_name if identity else person.email),
        name=Name(given_name=given or None, family_name=family or None)
        if (given or family)
        else None,
        display_name=person.display_name,
        title=(profile.job_title or None) if profile else None,
        active=person.is_active
        if identity is None or identity.active_asserted or not person.is_active
        else None,
        emails=[email],
        groups=groups or None,
    )
    if any(
        value is not None
        for value in (enterprise.employee_number, enterprise.department, enterprise.manager)
    ):
        resource[EnterpriseUser] = enterprise
    modified = max(
        [person.date_joined]
        + ([identity.updated_at] if identity else [])
        + ([profile.updated_at] if profile else [])
    )
    resource.meta = Meta(
        resource_type="User",
        created=person.date_joined,
        last_modified=modified,
        location=f"{base_url}/Users/{person.pk}",
    )
    resource.meta.version = _version(resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return resource


def group_resource(group: DirectoryGroup, base_url: str) -> Group:
    resource = Group(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.display_name,
        members=[
            GroupMember.model_validate(
                {"value": str(m.user_id), "$ref": f"{base_url}/Users/{m.user_id}"}
            )
            for m in group.memberships.all()
        ]
        or None,
    )
    resource.meta = Meta(
        resource_type="Group",
        created=group.created_at,
        last_modified=group.updated_at,
        location=f"{base_url}/Groups/{group.pk}",
    )
    resource.meta.version = _version(resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return resource


def _chosen_email(resource: Any) -> Email | None:
    emails = list(resource.emails or [])
    for email in emails:
        if email.primary:
            return email
    for email in emails:
        if email.type == "work":
            return email
    return emails[0] if emails else None


def with_manager_reference(payload: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Fill in the enterprise manager's $ref from its value (Okta and Entra send the value
    alone, which scim2-models would refuse as the reference is marked required)."""
    for key, extension in payload.items():
        if key.lower() != ENTERPRISE_SCHEMA.lower() or not isinstance(extension, dict):
            continue
        manager = extension.get("manager")
        if isinstance(manager, dict) and manager.get("value") and not manager.get("$ref"):
            manager["$ref"] = f"{base_url}/Users/{manager['value']}"
        elif isinstance(manager, str) and manager:
            extension["manager"] = {"value": manager, "$ref": f"{base_url}/Users/{manager}"}
    return payload


def person_fields(resource: Any) -> PersonFields:
    """What a SCIM User asks of Tandem. The email Tandem keeps is the primary one (else the
    work one, else the first); with no emails, a userName that is an email address."""
    email = _chosen_email(resource)
    enterprise = resource[EnterpriseUser] if _enterprise_present(resource) else None
    manager = enterprise.manager if enterprise else None
    address = email.value if email and email.value else ""
    if not address and resource.user_name and "@" in resource.user_name:
        address = resource.user_name
    return PersonFields(
        user_name=resource.user_name or "",
        email=str(address),
        email_type=str(email.type.value if hasattr(email.type, "value") else email.type)
        if email and email.type
        else "",
        email_primary=bool(email.primary) if email and email.primary is not None else True,
        given_name=(resource.name.given_name or "") if resource.name else "",
        family_name=(resource.name.family_name or "") if resource.name else "",
        title=resource.title or "",
        active=None if resource.active is None else bool(resource.active),
        external_id=resource.external_id or "",
        employee_number=(enterprise.employee_number or "") if enterprise else "",
        department=(enterprise.department or "") if enterprise else "",
        manager_id=_manager_id(manager),
    )


def _enterprise_present(resource: Any) -> bool:
    try:
        return resource[EnterpriseUser] is not None
    except (KeyError, TypeError):
        return False


def _manager_id(manager: Manager | None) -> str:
    if manager is None:
        return ""
    if manager.value:
        return str(manager.value)
    if manager.ref:
        return str(manager.ref).rstrip("/").rsplit("/", 1)[-1]
    return ""


def group_fields(resource: Group) -> GroupFields:
    member_ids = []
    for member in resource.members or []:
        if member.value:
            member_ids.append(str(member.value))
        elif member.ref:
            member_ids.append(str(member.ref).rstrip("/").rsplit("/", 1)[-1])
    return GroupFields(
        display_name=resource.display_name or "",
        external_id=resource.external_id or "",
        member_ids=tuple(member_ids),
    )
