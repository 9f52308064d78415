"""The one write path of NGSI-LD entities and contexts; every write checks who asks."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from villagehub.communities.models import Community
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by

from . import ld
from .errors import (
    AlreadyExists,
    BadRequestData,
    Forbidden,
    NgsiError,
    ResourceNotFound,
    Unauthorized,
)
from .geo import geometry_of
from .models import Entity, EntityLocation, EntityType, JsonLdContext, Tenant
from .representation import (
    attribute_normalize,
    entity_id_check,
    entity_normalize,
    instance_normalize,
    instances_of,
)

COMMUNITY_PREFIX = "urn:ngsi-ld:Community:"
OWNER_ATTRIBUTE = "refCommunity"
ADMIN_PERMISSION = "ngsi.change_entity"


def now_text() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class UpdateResult:
    updated: list[str] = field(default_factory=list)
    not_updated: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"updated": self.updated, "notUpdated": self.not_updated}


# Who may write.


def _writer_check(user: AbstractBaseUser | None) -> AbstractBaseUser:
    if user is None or not user.is_authenticated:
        raise Unauthorized("Writing needs a personal API token: Authorization: Bearer vh_...")
    return user


def _writable_community_ids(user: AbstractBaseUser) -> set[int]:
    return set(communities_edited_by(user).values_list("pk", flat=True)) | set(
        communities_reviewed_by(user).values_list("pk", flat=True)
    )


def entity_may_write(*, user: AbstractBaseUser, entity: Entity) -> bool:
    if user.has_perm(ADMIN_PERMISSION):
        return True
    return entity.community_id is not None and entity.community_id in _writable_community_ids(user)


def _owner_attribute(attrs: dict) -> list[dict]:
    for key, instances in attrs.items():
        if key == OWNER_ATTRIBUTE or key.endswith(("/" + OWNER_ATTRIBUTE, "#" + OWNER_ATTRIBUTE)):
            return instances
    return []


def _owner_for_new(*, user: AbstractBaseUser, attrs: dict) -> Community | None:
    """The community a new entity belongs to: its `refCommunity`, or the writer's only one."""
    writable = _writable_community_ids(user)
    owner = _owner_attribute(attrs)
    if owner:
        target = owner[0].get("object")
        slug = target[len(COMMUNITY_PREFIX) :] if isinstance(target, str) else ""
        if not isinstance(target, str) or not target.startswith(COMMUNITY_PREFIX) or not slug:
            raise BadRequestData(
                f"{OWNER_ATTRIBUTE}: the object must be {COMMUNITY_PREFIX}<slug> of a community."
            )
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            raise BadRequestData(f"{OWNER_ATTRIBUTE}: there is no community {slug!r}.")
        if community.pk not in writable and not user.has_perm(ADMIN_PERMISSION):
            raise Forbidden(f"You do not edit the community {slug!r}.")
        return community
    if user.has_perm(ADMIN_PERMISSION):
        return None
    if len(writable) == 1:
        return Community.objects.get(pk=next(iter(writable)))
    raise BadRequestData(
        f"{OWNER_ATTRIBUTE}: name the community the entity belongs to with a Relationship "
        f"{OWNER_ATTRIBUTE} to {COMMUNITY_PREFIX}<slug>."
        if writable
        else "You edit no community, so you cannot create entities."
    )


# Stored form.


def tenant_ensure(name: str) -> None:
    if name and not Tenant.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Tenant.objects.create(name=name, created_at=timezone.now())
        except IntegrityError:
            pass


def _stored(document: dict, context: Any) -> dict:
    """A normalized request document (attributes as lists of instances) in stored form."""
    body = {
        key: (value[0] if isinstance(value, list) and len(value) == 1 else value)
        for key, value in document.items()
    }
    if "id" not in body:
        body["id"] = "urn:ngsi-ld:fragment"
    compacted = ld.to_storage(body, context)
    result: dict = {"attrs": {}}
    for key, value in compacted.items():
        if key in ("id", "@id"):
            result["id"] = value
        elif key in ("type", "@type"):
            result["types"] = value if isinstance(value, list) else [value]
        elif key == "scope":
            result["scope"] = value if isinstance(value, list) else [value]
        else:
            result["attrs"][key] = instances_of(value)
    return result


def _names(document: dict, context: Any) -> dict[str, str]:
    """Request attribute name -> stored name."""
    names = [key for key in document if key not in ("id", "type", "scope")]
    return dict(zip(names, ld.storage_names(names, context), strict=True))


def _stamp(instances: list[dict], *, created: str, previous: list[dict] | None = None) -> None:
    before = {item.get("datasetId"): item for item in previous or []}
    for instance in instances:
        old = before.get(instance.get("datasetId"))
        instance["createdAt"] = old.get("createdAt", created) if old else created
        instance["modifiedAt"] = created


def _index(entity: Entity) -> None:
    """The type rows and location boxes of an entity, written anew."""
    EntityType.objects.filter(entity=entity).delete()
    EntityType.objects.bulk_create(
        EntityType(entity=entity, tenant=entity.tenant, name=name) for name in entity.types
    )
    EntityLocation.objects.filter(entity=entity).delete()
    boxes = []
    for key, instances in entity.attrs.items():
        for instance in instances:
            if instance.get("type") != "GeoProperty":
                continue
            geometry = geometry_of(instance.get("value"))
            if geometry is None or geometry.is_empty:
                continue
            min_x, min_y, max_x, max_y = geometry.bounds
            boxes.append(
                EntityLocation(
                    entity=entity,
                    tenant=entity.tenant,
                    attribute=key,
                    min_x=min_x,
                    min_y=min_y,
                    max_x=max_x,
                    max_y=max_y,
                )
            )
    EntityLocation.objects.bulk_create(boxes)


def _save(entity: Entity) -> None:
    entity.modified_at = timezone.now()
    entity.save()
    _index(entity)


def entity_get_for_writer(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> Entity:
    """The entity, locked, if the token's owner may write it (404 if missing, 403 if not)."""
    user = _writer_check(user)
    entity_id_check(entity_id)
    entity = Entity.objects.select_for_update().filter(tenant=tenant, entity_id=entity_id).first()
    if entity is None:
        raise ResourceNotFound(f"There is no entity {entity_id}.")
    if not entity_may_write(user=user, entity=entity):
        raise Forbidden(
            f"The entity {entity_id} belongs to a community you do not edit; you cannot change it."
        )
    return entity


# Entities.


@transaction.atomic
def entity_create(
    *, user: AbstractBaseUser | None, tenant: str, document: Any, context: Any
) -> Entity:
    user = _writer_check(user)
    normalized = entity_normalize(document)
    stored = _stored(normalized, context)
    if Entity.objects.filter(tenant=tenant, entity_id=stored["id"]).exists():
        raise AlreadyExists(f"The entity {stored['id']} already exists.")
    community = _owner_for_new(user=user, attrs=stored["attrs"])
    created = now_text()
    for instances in stored["attrs"].values():
        _stamp(instances, created=created)
    tenant_ensure(tenant)
    moment = timezone.now()
    try:
        with transaction.atomic():
            entity = Entity.objects.create(
                tenant=tenant,
                entity_id=stored["id"],
                types=stored["types"],
                attrs=stored["attrs"],
                scope=stored.get("scope", []),
                community=community,
                created_by=user,
                created_at=moment,
                modified_at=moment,
            )
    except IntegrityError as exc:
        raise AlreadyExists(f"The entity {stored['id']} already exists.") from exc
    _index(entity)
    return entity


@transaction.atomic
def entity_replace(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> Entity:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    if isinstance(document, dict) and document.get("id", entity_id) != entity_id:
        raise BadRequestData("id: the entity's id in the body differs from the one in the URL.")
    normalized = entity_normalize(
        {**document, "id": entity_id} if isinstance(document, dict) else document
    )
    stored = _stored(normalized, context)
    created = now_text()
    for key, instances in stored["attrs"].items():
        _stamp(instances, created=created, previous=entity.attrs.get(key))
    entity.types = stored["types"]
    entity.attrs = stored["attrs"]
    entity.scope = stored.get("scope", [])
    _save(entity)
    return entity


@transaction.atomic
def entity_delete(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> None:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    entity.delete()


def _fragment(document: Any, context: Any) -> tuple[dict, dict[str, str], dict]:
    """Attributes of a request body: normalized, their stored names, their stored instances."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a JSON object of attributes.")
    document = {
        key: value for key, value in document.items() if key not in ("@context", "id", "type")
    }
    normalized = {name: attribute_normalize(value, name) for name, value in document.items()}
    if "scope" in document:
        normalized["scope"] = entity_normalize(
            {"scope": document["scope"]}, need_id=False, need_type=False
        )["scope"]
    stored = _stored(normalized, context)
    return normalized, _names(normalized, context), stored


def _instances_merge(
    existing: list[dict], new: list[dict], *, created: str, overwrite: bool
) -> tuple[list[dict], bool]:
    by_dataset = {item.get("datasetId"): item for item in existing}
    changed = False
    for instance in new:
        dataset = instance.get("datasetId")
        old = by_dataset.get(dataset)
        if old is not None and not overwrite:
            continue
        instance["createdAt"] = old.get("createdAt", created) if old else created
        instance["modifiedAt"] = created
        by_dataset[dataset] = instance
        changed = True
    return list(by_dataset.values()), changed


@transaction.atomic
def entity_attrs_append(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    document: Any,
    context: Any,
    overwrite: bool = True,
) -> UpdateResult:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    _normalized, names, stored = _fragment(document, context)
    created = now_text()
    result = UpdateResult()
    for name, key in names.items():
        if name == "scope":
            continue
        merged, changed = _instances_merge(
            entity.attrs.get(key, []),
            stored["attrs"].get(key, []),
            created=created,
            overwrite=overwrite,
        )
        if changed:
            entity.attrs[key] = merged
            result.updated.append(name)
        else:
            result.not_updated.append(
                {"attributeName": name, "reason": "The attribute exists and noOverwrite is set."}
            )
    if "scope" in stored:
        entity.scope = sorted(set(entity.scope) | set(stored["scope"]))
    if isinstance(document, dict) and "type" in document:
        entity.types = list(
            dict.fromkeys(
                entity.types
                + ld.storage_names(
                    [document["type"]]
                    if isinstance(document["type"], str)
                    else list(document["type"]),
                    context,
                )
            )
        )
    _save(entity)
    return result


@transaction.atomic
def entity_attrs_update(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> UpdateResult:
    """Replace attributes the entity has; name the ones it has not."""
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    _normalized, names, stored = _fragment(document, context)
    created = now_text()
    result = UpdateResult()
    for name, key in names.items():
        if name == "scope":
            continue
        existing = entity.attrs.get(key, [])
        datasets = {item.get("datasetId") for item in existing}
        new = [item for item in stored["attrs"].get(key, []) if item.get("datasetId") in datasets]
        if not new:
            result.not_updated.append(
                {"attributeName": name, "reason": "The entity has no such attribute (instance)."}
            )
            continue
        entity.attrs[key], _changed = _instances_merge(
            existing, new, created=created, overwrite=True
        )
        result.updated.append(name)
    if result.updated:
        _save(entity)
    return result


def _merge(old: dict, patch: dict) -> dict:
    merged = copy.deepcopy(old)
    for key, value in patch.items():
        if key in ("createdAt", "modifiedAt"):
            continue
        if (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and key not in ("value", "json", "languageMap")
        ):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@transaction.atomic
def entity_attr_patch(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    document: Any,
    context: Any,
) -> None:
    """Partial update of one attribute: the members sent replace those stored."""
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a JSON object: the attribute's members.")
    key = ld.storage_name(name, context)
    existing = entity.attrs.get(key)
    if not existing:
        raise ResourceNotFound(f"The entity {entity_id} has no attribute {name}.")
    fragment = {k: v for k, v in document.items() if k != "@context"}
    dataset = fragment.get("datasetId")
    old = next((item for item in existing if item.get("datasetId") == dataset), None)
    if old is None:
        raise ResourceNotFound(
            f"The attribute {name} of {entity_id} has no instance with datasetId {dataset}."
        )
    user_old = ld.from_storage({"id": entity_id, key: old}, context).get(name, {})
    user_old = (
        {k: v for k, v in user_old.items() if k not in ("createdAt", "modifiedAt")}
        if isinstance(user_old, dict)
        else {}
    )
    if "type" not in fragment:
        kind = user_old.get("type", "Property")
        if kind == "Property" and "object" in fragment:
            raise BadRequestData(f"{name}: a Property has no object.")
    merged = _merge(user_old, fragment)
    instance = instance_normalize(merged, name)
    stored = _stored({name: [instance]}, context)["attrs"].get(key, [])
    entity.attrs[key], _changed = _instances_merge(
        existing, stored, created=now_text(), overwrite=True
    )
    _save(entity)


@transaction.atomic
def entity_attr_replace(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    document: Any,
    context: Any,
) -> None:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    key = ld.storage_name(name, context)
    if key not in entity.attrs:
        raise ResourceNotFound(f"The entity {entity_id} has no attribute {name}.")
    fragment = (
        {k: v for k, v in document.items() if k != "@context"}
        if isinstance(document, dict)
        else document
    )
    _normalized, _names_found, stored = _fragment({name: fragment}, context)
    entity.attrs[key], _changed = _instances_merge(
        entity.attrs[key], stored["attrs"].get(key, []), created=now_text(), overwrite=True
    )
    _save(entity)


@transaction.atomic
def entity_attr_delete(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    context: Any,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    key = ld.storage_name(name, context)
    existing = entity.attrs.get(key)
    if not existing:
        raise ResourceNotFound(f"The entity {entity_id} has no attribute {name}.")
    if delete_all:
        kept: list[dict] = []
    else:
        kept = [item for item in existing if item.get("datasetId") != dataset_id]
        if len(kept) == len(existing):
            raise ResourceNotFound(
                f"The attribute {name} of {entity_id} has no instance with datasetId "
                f"{dataset_id or '(default)'}."
            )
    if kept:
        entity.attrs[key] = kept
    else:
        del entity.attrs[key]
    _save(entity)


# Batch operations: each entity on its own, so that one failure does not undo the others.


@dataclass
class BatchResult:
    success: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def fail(self, entity_id: Any, error: NgsiError) -> None:
        self.errors.append(
            {
                "entityId": entity_id if isinstance(entity_id, str) else str(entity_id),
                "error": error.problem(),
            }
        )

    def as_json(self) -> dict:
        return {"success": self.success, "errors": self.errors}


def _batch_items(documents: Any) -> list:
    if not isinstance(documents, list):
        raise BadRequestData("The body must be a JSON array of entities.")
    if not documents:
        raise BadRequestData("The body is an empty array: there is nothing to do.")
    return documents


def _item_context(item: Any, context: Any) -> Any:
    if isinstance(item, dict) and "@context" in item:
        return item["@context"]
    return context


def entities_batch_create(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any
) -> BatchResult:
    _writer_check(user)
    result = BatchResult()
    for item in _batch_items(documents):
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            if entity_id in result.success:
                raise AlreadyExists(f"The entity {entity_id} is twice in the batch.")
            entity_create(
                user=user, tenant=tenant, document=item, context=_item_context(item, context)
            )
        except NgsiError as error:
            result.fail(entity_id, error)
        else:
            result.success.append(entity_id)
    return result


def entities_batch_upsert(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any, replace: bool
) -> tuple[BatchResult, list[str]]:
    """Create what is new, replace (or update) what exists; also says which ids were new."""
    _writer_check(user)
    result = BatchResult()
    created: list[str] = []
    for item in _batch_items(documents):
        entity_id = item.get("id") if isinstance(item, dict) else None
        item_context = _item_context(item, context)
        try:
            exists = (
                isinstance(entity_id, str)
                and Entity.objects.filter(tenant=tenant, entity_id=entity_id).exists()
            )
            if not exists:
                entity_create(user=user, tenant=tenant, document=item, context=item_context)
                created.append(entity_id)
            elif replace:
                entity_replace(
                    user=user,
                    tenant=tenant,
                    entity_id=entity_id,
                    document=item,
                    context=item_context,
                )
            else:
                entity_normalize(item)
                entity_attrs_append(
                    user=user,
                    tenant=tenant,
                    entity_id=entity_id,
                    document=item,
                    context=item_context,
                )
        except NgsiError as error:
            result.fail(entity_id, error)
        else:
            result.success.append(entity_id)
    return result, created


def entities_batch_update(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any, overwrite: bool
) -> BatchResult:
    _writer_check(user)
    result = BatchResult()
    for item in _batch_items(documents):
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise BadRequestData("Each entity must be a JSON object.")
            entity_id_check(entity_id)
            outcome = entity_attrs_append(
                user=user,
                tenant=tenant,
                entity_id=entity_id,
                document=item,
                context=_item_context(item, context),
                overwrite=overwrite,
            )
            if outcome.not_updated:
                raise BadRequestData(
                    "Not updated: "
                    + ", ".join(entry["attributeName"] for entry in outcome.not_updated)
                )
        except NgsiError as error:
            result.fail(entity_id, error)
        else:
            result.success.append(entity_id)
    return result


def entities_batch_delete(
    *, user: AbstractBaseUser | None, tenant: str, entity_ids: Any
) -> BatchResult:
    _writer_check(user)
    result = BatchResult()
    for entity_id in _batch_items(entity_ids):
        try:
            if not isinstance(entity_id, str):
                raise BadRequestData("Each item must be an entity id (a URI).")
            entity_delete(user=user, tenant=tenant, entity_id=entity_id)
        except NgsiError as error:
            result.fail(entity_id, error)
        else:
            result.success.append(entity_id)
    return result


# JSON-LD contexts the hub hosts.


@transaction.atomic
def context_create(*, user: AbstractBaseUser | None, document: Any) -> JsonLdContext:
    _writer_check(user)
    if not isinstance(document, dict) or set(document) != {"@context"}:
        raise BadRequestData('The body must be a JSON object with only "@context".')
    if not isinstance(document["@context"], (dict, list, str)):
        raise BadRequestData("@context must be an object, a URL or a list of them.")
    ld.to_storage({"id": "urn:ngsi-ld:check"}, document["@context"])
    row = JsonLdContext(kind=JsonLdContext.Kind.HOSTED, body=document, created_at=timezone.now())
    row.url = ld.hosted_url(row.pk)
    row.save()
    return row


@transaction.atomic
def context_delete(*, user: AbstractBaseUser | None, context_id: str) -> None:
    user = _writer_check(user)
    if ld.is_core(context_id) or context_id in ld.SHIPPED:
        raise BadRequestData("The core context and the shipped contexts cannot be deleted.")
    row = (
        JsonLdContext.objects.filter(pk=context_id).first()
        or JsonLdContext.objects.filter(url=context_id).first()
    )
    if row is None:
        raise ResourceNotFound(f"There is no JSON-LD context {context_id}.")
    if (
        row.kind == JsonLdContext.Kind.HOSTED
        and not user.has_perm(ADMIN_PERMISSION)
        and not _writable_community_ids(user)
    ):
        raise Forbidden("Only community editors and coordinators delete hosted contexts.")
    ld.fetched_forget(row.url)
    row.delete()
