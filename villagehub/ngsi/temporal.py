"""The writes of the temporal API (ETSI GS CIM 009, 5.6.11, 5.6.12 and 5.6.16), as services.

A temporal representation lists, per attribute, the instances it had over time. It is written
as the changes it records, oldest first, through the entity services: the entity ends with
the latest instance of each attribute (per datasetId), every instance is in its history with
its observedAt, and permissions and subscribers are those of any other write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from . import services
from .errors import AlreadyExists, BadRequestData
from .models import AttributeInstance
from .representation import entity_id_check, is_datetime

# Members of an entity that are not attributes.
ENTITY_MEMBERS = {"id", "type", "@context", "scope"}


def _moment(instance: Any) -> datetime | None:
    observed = instance.get("observedAt") if isinstance(instance, dict) else None
    if not isinstance(observed, str) or not is_datetime(observed):
        return None
    return datetime.fromisoformat(observed.replace("Z", "+00:00"))


def _ordered(name: str, value: Any) -> list[list[Any]]:
    """The instances of one attribute, one list per datasetId, each oldest first (in the
    order given where an instance has no observedAt)."""
    instances = value if isinstance(value, list) else [value]
    if not instances:
        raise BadRequestData(f"{name}: a temporal attribute needs at least one instance.")
    groups: dict[Any, list[Any]] = {}
    for instance in instances:
        dataset = instance.get("datasetId") if isinstance(instance, dict) else None
        groups.setdefault(dataset, []).append(instance)
    ordered = []
    for group in groups.values():
        moments = [_moment(instance) for instance in group]
        known = [moment for moment in moments if moment is not None]
        if len(known) == len(group):
            order = sorted(range(len(group)), key=known.__getitem__)
            group = [group[index] for index in order]
        ordered.append(group)
    return ordered


def temporal_rounds(document: dict) -> list[dict]:
    """The attributes of a temporal representation as successive fragments: the first
    holds the oldest instance of each attribute and datasetId, the next one the next, ..."""
    by_attribute = {
        name: _ordered(name, value)
        for name, value in document.items()
        if name not in ENTITY_MEMBERS
    }
    depth = max((len(group) for groups in by_attribute.values() for group in groups), default=0)
    rounds = []
    for index in range(depth):
        fragment: dict[str, Any] = {}
        for name, groups in by_attribute.items():
            instances = [group[index] for group in groups if index < len(group)]
            if instances:
                fragment[name] = instances if len(instances) > 1 else instances[0]
        rounds.append(fragment)
    return rounds


@transaction.atomic
def temporal_entity_upsert(
    *, user: AbstractBaseUser | None, tenant: str, document: Any, context: Any
) -> bool:
    """Create the entity of a temporal representation, or add its instances to the entity
    of that id (5.6.11); whether it was created."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a temporal representation of an entity.")
    entity_id = document.get("id")
    if not isinstance(entity_id, str):
        raise BadRequestData("id: a temporal representation needs the entity's id (a URI).")
    entity_id_check(entity_id)
    rounds = temporal_rounds(document)
    identity = {key: document[key] for key in ("id", "type", "scope") if key in document}
    try:
        services.entity_create(
            user=user,
            tenant=tenant,
            document={**identity, **(rounds[0] if rounds else {})},
            context=context,
        )
    except AlreadyExists:
        _append(user=user, tenant=tenant, entity_id=entity_id, rounds=rounds, context=context)
        return False
    _append(user=user, tenant=tenant, entity_id=entity_id, rounds=rounds[1:], context=context)
    return True


def _append(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, rounds: list[dict], context: Any
) -> None:
    for fragment in rounds:
        services.entity_attrs_append(
            user=user, tenant=tenant, entity_id=entity_id, document=fragment, context=context
        )


@transaction.atomic
def temporal_attrs_append(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> None:
    """Add the instances of a temporal fragment to an entity and its history (5.6.12)."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a temporal fragment: attributes and instances.")
    entity_id_check(entity_id)
    _append(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        rounds=temporal_rounds(document) or [{}],
        context=context,
    )


@transaction.atomic
def temporal_entity_delete(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> None:
    """Delete an entity and its whole history (5.6.16); `404` if the entity is not there."""
    services.entity_delete(user=user, tenant=tenant, entity_id=entity_id)
    AttributeInstance.objects.filter(tenant=tenant, entity_id=entity_id).delete()
