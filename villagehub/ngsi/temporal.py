"""The writes of the temporal API (ETSI GS CIM 009, 5.6.11 to 5.6.16), as services.

A temporal representation lists, per attribute, the instances it had over time. The latest
instance of each attribute (per datasetId) is written through the entity services, as any
other write (permissions, history, subscribers); the older ones go to the history alone,
each once, with its observedAt. One instance of the history, named by its instanceId, can be
changed or deleted afterwards; that changes the history only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from . import ld, services
from .errors import AlreadyExists, BadRequestData, ResourceNotFound
from .models import AttributeInstance, Entity
from .representation import (
    attribute_normalize,
    entity_id_check,
    instance_normalize,
    instance_pk_of,
    instances_of,
    is_datetime,
    is_uri,
    name_check,
)

# Members of an entity that are not attributes.
ENTITY_MEMBERS = {"id", "type", "@context", "scope"}


def _moment(instance: Any) -> datetime | None:
    observed = instance.get("observedAt") if isinstance(instance, dict) else None
    if not isinstance(observed, str) or not is_datetime(observed):
        return None
    return datetime.fromisoformat(observed.replace("Z", "+00:00"))


def _instant_text(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def temporal_split(document: dict) -> tuple[dict, dict]:
    """The attributes of a temporal representation as the latest instance of each attribute
    and datasetId (what the entity is to show) and the older instances (history only)."""
    latest: dict[str, Any] = {}
    older: dict[str, list] = {}
    for name, value in document.items():
        if name in ENTITY_MEMBERS:
            continue
        groups = _ordered(name, value)
        newest = [group[-1] for group in groups]
        latest[name] = newest if len(newest) > 1 else newest[0]
        before = [instance for group in groups for instance in group[:-1]]
        if before:
            older[name] = before
    return latest, older


def _history_insert(*, entity: Entity, older: dict[str, list], context: Any) -> None:
    """The older instances, in stored form, straight into the entity's history: they were
    never the entity's state, so neither the entity nor its subscribers see them."""
    if not older:
        return
    document: dict[str, Any] = {"id": entity.entity_id}
    for name, instances in older.items():
        normalized = [
            item for instance in instances for item in attribute_normalize(instance, name)
        ]
        document[name] = normalized if len(normalized) > 1 else normalized[0]
    moment = timezone.now()
    written = _instant_text(moment)
    rows = []
    for key, value in ld.to_storage(document, context).items():
        if key in ("id", "@id", "type", "@type"):
            continue
        for instance in instances_of(value):
            instance = {**instance, "modifiedAt": written}
            rows.append(
                AttributeInstance(
                    tenant=entity.tenant,
                    entity_id=entity.entity_id,
                    types=entity.types,
                    attribute=key,
                    instance=instance,
                    observed_at=_moment(instance) or moment,
                    modified_at=moment,
                )
            )
    AttributeInstance.objects.bulk_create(rows)


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
    latest, older = temporal_split(document)
    identity = {key: document[key] for key in ("id", "type", "scope") if key in document}
    try:
        entity = services.entity_create(
            user=user, tenant=tenant, document={**identity, **latest}, context=context
        )
    except AlreadyExists:
        _add(user=user, tenant=tenant, entity_id=entity_id, document=document, context=context)
        return False
    _history_insert(entity=entity, older=older, context=context)
    return True


def _add(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: dict, context: Any
) -> None:
    latest, older = temporal_split(document)
    services.entity_attrs_append(
        user=user, tenant=tenant, entity_id=entity_id, document=latest, context=context
    )
    entity = services.entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    _history_insert(entity=entity, older=older, context=context)


@transaction.atomic
def temporal_attrs_append(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> None:
    """Add the instances of a temporal fragment to an entity and its history (5.6.12)."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a temporal fragment: attributes and instances.")
    entity_id_check(entity_id)
    _add(user=user, tenant=tenant, entity_id=entity_id, document=document, context=context)


@transaction.atomic
def temporal_entity_delete(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> None:
    """Delete an entity and its whole history (5.6.16); `404` if the entity is not there."""
    services.entity_delete(user=user, tenant=tenant, entity_id=entity_id)
    AttributeInstance.objects.filter(tenant=tenant, entity_id=entity_id).delete()


@transaction.atomic
def temporal_attr_delete(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    context: Any,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """Delete the history of an attribute (5.6.13): of its default instance, of one datasetId,
    or all of it; the entity keeps the attribute as it is now. `404` if there is none."""
    name_check(name, "attrId")
    services.entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    rows = AttributeInstance.objects.filter(
        tenant=tenant, entity_id=entity_id, attribute=ld.storage_name(name, context)
    )
    if not delete_all:
        rows = (
            rows.filter(instance__datasetId=dataset_id)
            if dataset_id
            else rows.exclude(instance__has_key="datasetId")
        )
    deleted, _per_model = rows.delete()
    if not deleted:
        raise ResourceNotFound(f"The entity {entity_id} has no history of {name} to delete.")


def _instance_ids_check(*, entity_id: str, name: str, instance_id: str) -> None:
    entity_id_check(entity_id)
    name_check(name, "attrId")
    if not is_uri(instance_id):
        raise BadRequestData(
            f"instanceId: {instance_id!r} is not a URI (an instance's instanceId, as the "
            "temporal representation shows it)."
        )


def _instance_get_for_writer(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    instance_id: str,
    context: Any,
) -> AttributeInstance:
    """The instance, locked, if the token's owner may write its entity: `404` if the entity,
    the attribute's history or the instance is not there, `403` if not the writer's."""
    services.entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    rows = AttributeInstance.objects.filter(
        tenant=tenant, entity_id=entity_id, attribute=ld.storage_name(name, context)
    )
    pk = instance_pk_of(instance_id)
    row = rows.select_for_update().filter(pk=pk).first() if pk is not None else None
    if row is None:
        if not rows.exists():
            raise ResourceNotFound(f"The entity {entity_id} has no history of {name}.")
        raise ResourceNotFound(f"{name} of {entity_id} has no instance {instance_id}.")
    return row


def _fragment_check(document: Any, name: str) -> dict:
    """The members of an instance a request sends, checked on their own (`400`)."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a JSON object: members of the attribute instance.")
    fragment = {key: value for key, value in document.items() if key != "@context"}
    if not fragment:
        raise BadRequestData("The body names no member of the attribute instance.")
    if "type" in fragment:
        instance_normalize(fragment, name)
    return fragment


@transaction.atomic
def temporal_instance_patch(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    instance_id: str,
    document: Any,
    context: Any,
) -> None:
    """Modify one instance of an attribute's history (5.6.14): the members sent replace those
    it had (all of them when the type changes), it keeps its instanceId and, unless one is
    sent, its datasetId. The entity as it is now stays as it is, and no subscriber is told."""
    _instance_ids_check(entity_id=entity_id, name=name, instance_id=instance_id)
    fragment = _fragment_check(document, name)
    row = _instance_get_for_writer(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        name=name,
        instance_id=instance_id,
        context=context,
    )
    compacted = ld.from_storage({"id": entity_id, row.attribute: row.instance}, context)
    old = next(value for key, value in compacted.items() if key != "id")
    kept = {
        key: value
        for key, value in old.items()
        if key not in ("createdAt", "modifiedAt", "instanceId")
    }
    if "type" in fragment and fragment["type"] != kept.get("type"):
        kept = {key: kept[key] for key in ("datasetId",) if key in kept}
    merged = instance_normalize({**kept, **fragment}, name)
    stored = instances_of(ld.to_storage({"id": entity_id, name: merged}, context)[row.attribute])
    moment = timezone.now()
    instance = {**stored[0], "modifiedAt": _instant_text(moment)}
    if "createdAt" in row.instance:
        instance["createdAt"] = row.instance["createdAt"]
    AttributeInstance.objects.filter(pk=row.pk).update(
        instance=instance,
        observed_at=_moment(instance) or row.observed_at,
        modified_at=moment,
    )


@transaction.atomic
def temporal_instance_delete(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    instance_id: str,
    context: Any,
) -> None:
    """Delete one instance of an attribute's history (5.6.15); the entity stays as it is."""
    _instance_ids_check(entity_id=entity_id, name=name, instance_id=instance_id)
    row = _instance_get_for_writer(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        name=name,
        instance_id=instance_id,
        context=context,
    )
    AttributeInstance.objects.filter(pk=row.pk).delete()
