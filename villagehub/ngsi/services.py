"""The one write path of NGSI-LD entities and contexts; every write checks who asks."""

from __future__ import annotations

import copy
import json
import re
import time
import urllib.request
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from django_tasks import default_task_backend

from villagehub.communities.models import Community, Network
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by
from villagehub.core.db import rows_delete, rows_insert, rows_update
from villagehub.core.models import Illustrated
from villagehub.events.models import Event
from villagehub.events.selectors import absolute_url, event_list_base
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.strategies.selectors import needs_published, versions_latest

from . import ld, mqtt, tasks
from .errors import (
    AlreadyExists,
    BadRequestData,
    Forbidden,
    NgsiError,
    OperationNotSupported,
    ResourceNotFound,
    Unauthorized,
)
from .geo import geometry_located, geometry_of, geoquery_parse
from .models import (
    AttributeInstance,
    Entity,
    EntityLocation,
    EntityType,
    EntityValue,
    JsonLdContext,
    Notification,
    Subscription,
    Tenant,
)
from .query import (
    csf_parse,
    indexable,
    q_match,
    q_parse,
    tree_map,
    tree_names,
    value_leaves,
)
from .representation import (
    ATTRIBUTE_TYPES,
    attribute_normalize,
    entity_id_check,
    entity_normalize,
    instance_normalize,
    instances_of,
    is_datetime,
    is_uri,
)
from .selectors import (
    DELETION_TRIGGERS,
    Render,
    entity_from_row,
    entity_render,
    entity_render_change,
    entity_row_get,
)

COMMUNITY_PREFIX = "urn:ngsi-ld:Community:"
SOLUTION_PREFIX = "urn:ngsi-ld:Solution:"
REFERENCE_PREFIX = "urn:ngsi-ld:ReferenceInstallation:"
NEED_PREFIX = "urn:ngsi-ld:Need:"
STRATEGY_PREFIX = "urn:ngsi-ld:Strategy:"
OWNER_ATTRIBUTE = "refCommunity"
ADMIN_PERMISSION = "ngsi.change_entity"

# Entity types whose writes another app takes (in the default tenant): the app stores the
# data in its own tables, its source of truth, and keeps the entity as their read-only view.
# A writer gets the writer, the entity id and the stored attributes; it answers False for an
# entity it does not take (stored as any other), raises an NgsiError, or answers True once
# its view is written. Registered from the app's `ready()`.
TypeWriter = Callable[..., bool]
TYPE_WRITERS: dict[str, TypeWriter] = {}

_Row = TypeVar("_Row", bound=Model)

# Other apps' records published like the hub's own: a function giving the ids of all of
# them, and one giving their documents (all, or those changed since a time).
HubSource = tuple[
    Callable[[], set[str]], Callable[[datetime | None], list[tuple[dict[str, Any], Any]]]
]
HUB_SOURCES: list[HubSource] = []


def type_writer_register(type_name: str, writer: TypeWriter) -> None:
    TYPE_WRITERS[type_name] = writer


def hub_source_register(
    ids: Callable[[], set[str]],
    documents: Callable[[datetime | None], list[tuple[dict[str, Any], Any]]],
) -> None:
    if (ids, documents) not in HUB_SOURCES:
        HUB_SOURCES.append((ids, documents))


def local_name(name: str) -> str:
    """The last segment of an expanded name (`…/KeyPerformanceIndicator` → the short name)."""
    return re.split(r"[/#:]", name)[-1]


def _type_writer(tenant: str, types: list[str]) -> TypeWriter | None:
    if tenant:
        return None
    for name in types:
        writer = TYPE_WRITERS.get(local_name(name))
        if writer is not None:
            return writer
    return None


def now_text() -> str:
    return _time_text(timezone.now())


def _time_text(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class UpdateResult:
    updated: list[str] = field(default_factory=list)
    not_updated: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
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
    """Whether the user may change the entity: an administrator, or an editor or reviewer of
    its community. Asked in the order that costs fewest queries for the usual writer, an
    editor of the entity's community."""
    if entity.hub_record:
        return False
    community = entity.community_id
    if community is not None and communities_edited_by(user).filter(pk=community).exists():
        return True
    if user.has_perm(ADMIN_PERMISSION):
        return True
    return community is not None and communities_reviewed_by(user).filter(pk=community).exists()


def _owner_attribute(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    for key, instances in attrs.items():
        if key == OWNER_ATTRIBUTE or key.endswith(("/" + OWNER_ATTRIBUTE, "#" + OWNER_ATTRIBUTE)):
            return cast(list[dict[str, Any]], instances)
    return []


@dataclass
class Writer:
    """Who writes, read once per request: the communities they may write and whether they
    are an administrator (a batch asks for each of its entities)."""

    user: AbstractBaseUser
    writable: set[int]
    is_admin: bool
    communities: dict[str, Community | None] = field(default_factory=dict)
    moment: datetime = field(default_factory=timezone.now)
    _only: Community | None = None

    @classmethod
    def of(cls, user: AbstractBaseUser | None) -> Writer:
        user = _writer_check(user)
        return cls(
            user=user,
            writable=_writable_community_ids(user),
            is_admin=user.has_perm(ADMIN_PERMISSION),
        )

    def community(self, slug: str) -> Community | None:
        if slug not in self.communities:
            self.communities[slug] = Community.objects.filter(slug=slug).first()
        return self.communities[slug]

    def only_community(self) -> Community:
        """The one community the writer edits (asked once, not once per entity of a batch)."""
        if self._only is None:
            self._only = Community.objects.get(pk=next(iter(self.writable)))
        return self._only


def _owner_for_new(*, writer: Writer, attrs: dict[str, Any]) -> Community | None:
    """The community a new entity belongs to: its `refCommunity`, or the writer's only one."""
    writable = writer.writable
    owner = _owner_attribute(attrs)
    if owner:
        target = owner[0].get("object")
        slug = target[len(COMMUNITY_PREFIX) :] if isinstance(target, str) else ""
        if not isinstance(target, str) or not target.startswith(COMMUNITY_PREFIX) or not slug:
            raise BadRequestData(
                f"{OWNER_ATTRIBUTE}: the object must be {COMMUNITY_PREFIX}<slug> of a community."
            )
        community = writer.community(slug)
        if community is None:
            raise BadRequestData(f"{OWNER_ATTRIBUTE}: there is no community {slug!r}.")
        if community.pk not in writable and not writer.is_admin:
            raise Forbidden(f"You do not edit the community {slug!r}.")
        return community
    if writer.is_admin:
        return None
    if len(writable) == 1:
        return writer.only_community()
    raise BadRequestData(
        f"{OWNER_ATTRIBUTE}: name the community the entity belongs to with a Relationship "
        f"{OWNER_ATTRIBUTE} to {COMMUNITY_PREFIX}<slug>."
        if writable
        else "You edit no community, so you cannot create entities."
    )


# Stored form.


def tenant_ensure(*, name: str) -> None:
    if name and not Tenant.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Tenant.objects.create(name=name, created_at=timezone.now())
        except IntegrityError:
            pass


def _stored(document: dict[str, Any], context: Any) -> dict[str, Any]:
    """A normalized request document (attributes as lists of instances) in stored form."""
    body = {
        key: (value[0] if isinstance(value, list) and len(value) == 1 else value)
        for key, value in document.items()
    }
    if "id" not in body:
        body["id"] = "urn:ngsi-ld:fragment"
    compacted = ld.to_storage(body, context)
    result: dict[str, Any] = {"attrs": {}}
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


def _names(document: dict[str, Any], context: Any) -> dict[str, str]:
    """Request attribute name -> stored name."""
    names = [key for key in document if key not in ("id", "type", "scope")]
    return dict(zip(names, ld.storage_names(names, context), strict=True))


def _stamp(
    instances: list[dict[str, Any]], *, created: str, previous: list[dict[str, Any]] | None = None
) -> None:
    before = {item.get("datasetId"): item for item in previous or []}
    for instance in instances:
        old = before.get(instance.get("datasetId"))
        instance["createdAt"] = old.get("createdAt", created) if old else created
        instance["modifiedAt"] = created


# The index rows of an entity as plain values in the order of these columns, inserted many
# at once by `rows_insert` (a model instance per row would cost more than the insert).
TYPE_COLUMNS = ("entity_id", "tenant", "name")
LOCATION_COLUMNS = ("entity_id", "tenant", "attribute", "min_x", "min_y", "max_x", "max_y", "wkb")
VALUE_COLUMNS = ("entity_id", "tenant", "type_name", "attribute", "number", "text")
HISTORY_COLUMNS = (
    "tenant", "entity_id", "types", "attribute", "instance", "observed_at", "modified_at",
)  # fmt: skip


@dataclass
class IndexRows:
    """The type rows, location boxes and value index of some entities (see `index_rows_add`)."""

    types: list[tuple[Any, ...]] = field(default_factory=list)
    boxes: list[tuple[Any, ...]] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)

    def insert(self) -> None:
        rows_insert(EntityType, TYPE_COLUMNS, self.types)
        rows_insert(EntityLocation, LOCATION_COLUMNS, self.boxes)
        rows_insert(EntityValue, VALUE_COLUMNS, self.values)


def index_rows_add(rows: IndexRows, entity: Entity, *, keys: set[str] | None = None) -> None:
    """Add an entity's index rows: its types, the box of each GeoProperty instance, and each
    value `q` compares (once per type, so that one index range answers type and value).
    With `keys`, the boxes and values of those attributes alone, and no type rows."""
    pk, tenant = entity.pk, entity.tenant
    if keys is None:
        rows.types.extend((pk, tenant, name) for name in entity.types)
    for key, instances in entity.attrs.items():
        if keys is not None and key not in keys:
            continue
        for instance in instances:
            if instance.get("type") == "GeoProperty":
                located = geometry_located(instance.get("value"))
                if located is not None:
                    rows.boxes.append((pk, tenant, key, *located))
        for leaf in value_leaves(instances):
            columns = indexable(leaf)
            if columns is not None:
                number, text = columns.get("number"), columns.get("text")
                rows.values.extend((pk, tenant, name, key, number, text) for name in entity.types)


def _index(entity: Entity) -> None:
    """The type rows, location boxes and value index of an entity, written anew."""
    EntityType.objects.filter(entity=entity).delete()
    EntityLocation.objects.filter(entity=entity).delete()
    EntityValue.objects.filter(entity=entity).delete()
    rows = IndexRows()
    index_rows_add(rows, entity)
    rows.insert()


def _index_attributes(entity: Entity, keys: set[str]) -> None:
    """The boxes and values of some attributes of an entity written anew, the other index
    rows left as they are (a change of one attribute rewrites its rows only)."""
    if not keys:
        return
    before, after = entity.attrs_before, entity.attrs
    located = any(
        instance.get("type") == "GeoProperty"
        for key in keys
        for instance in (*before.get(key, ()), *after.get(key, ()))
    )
    placeholders = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        for model in (EntityLocation, EntityValue) if located else (EntityValue,):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} "  # noqa: S608 - the model's names
                f"WHERE entity_id = %s AND attribute IN ({placeholders})",
                [entity.pk, *sorted(keys)],
            )
    rows = IndexRows()
    index_rows_add(rows, entity, keys=keys)
    rows.insert()


def _save(entity: Entity) -> None:
    entity.modified_at = timezone.now()
    entity.save()
    _index(entity)


_Result = TypeVar("_Result")


@dataclass
class Change(Generic[_Result]):
    """What a write did to one entity in memory (see `_entity_change`): what to answer, the
    triggers and the attributes (stored names) its subscribers hear of, and whose index rows
    to write anew (None: all the entity's, as when its types change)."""

    result: _Result
    triggers: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    reindexed: set[str] | None = None
    saved: bool = True


def _entity_change(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    apply: Callable[[Entity], Change[_Result]],
) -> _Result:
    """Change one entity by `apply` (which changes it in memory and says how), and answer
    its result. On SQLite the transaction holds the database's one write lock, which every
    other writer (and the notification senders) queue for, so who writes and the entity are
    read, and the change made, before it; in it the entity is read again and the change made
    again only if the entity changed meanwhile. Where the database locks rows (PostgreSQL) a
    writer waits only for writers of the same entity: all is done in the transaction, on the
    entity read once, locked."""
    user = _writer_check(user)
    entity_id_check(entity_id)
    early = not connection.features.has_select_for_update
    row: Sequence[Any] | None = None
    change: Change[_Result] | None = None
    if early:
        row = entity_row_get(tenant=tenant, entity_id=entity_id)
        entity = _writable(user, row, entity_id)
        change = apply(entity)
    with transaction.atomic():
        current = entity_row_get(tenant=tenant, entity_id=entity_id, lock=True)
        if change is None or current != row:
            entity = _writable(user, current, entity_id)
            change = apply(entity)
        if change.saved:
            _change_write(entity, change)
    return change.result


def _writable(user: AbstractBaseUser, row: Sequence[Any] | None, entity_id: str) -> Entity:
    entity = entity_from_row(row) if row is not None else None
    return _write_check(
        entity,
        entity_id,
        may_write=entity is not None and entity_may_write(user=user, entity=entity),
    )


def _change_write(entity: Entity, change: Change[Any]) -> None:
    """Write a changed entity, its index rows that changed, its history and notifications."""
    entity.modified_at = timezone.now()
    rows_update(
        Entity,
        ("types", "attrs", "scope", "modified_at"),
        [(entity.types, entity.attrs, entity.scope, entity.modified_at, entity.pk)],
    )
    if change.reindexed is None:
        _index(entity)
    else:
        _index_attributes(entity, change.reindexed)
    if change.changed:
        _changed(entity=entity, triggers=change.triggers, changed=change.changed)


def entity_get_for_writer(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> Entity:
    """The entity, locked, if the token's owner may write it (404 if missing, 403 if not)."""
    user = _writer_check(user)
    entity_id_check(entity_id)
    entity = Entity.objects.select_for_update().filter(tenant=tenant, entity_id=entity_id).first()
    return _write_check(
        entity,
        entity_id,
        may_write=entity is not None and entity_may_write(user=user, entity=entity),
    )


def _write_check(entity: Entity | None, entity_id: str, *, may_write: bool) -> Entity:
    if entity is None:
        raise ResourceNotFound(f"There is no entity {entity_id}.")
    if entity.hub_record:
        raise Forbidden(
            f"{entity_id} is one of the hub's own records: it changes only in the hub itself."
        )
    if not may_write:
        raise Forbidden(
            f"The entity {entity_id} belongs to a community you do not edit; you cannot change it."
        )
    return entity


# Entities.


def _new_stored(document: Any, context: Any) -> dict[str, Any]:
    return _stored(entity_normalize(document), context)


def _taken_by_type(*, writer: Writer, tenant: str, stored: dict[str, Any]) -> bool:
    """Whether another app took this entity, by its type (see `TYPE_WRITERS`)."""
    type_writer = _type_writer(tenant, stored.get("types", []))
    if type_writer is None:
        return False
    with transaction.atomic():
        return type_writer(user=writer.user, entity_id=stored["id"], attrs=stored["attrs"])


def _new_entity(*, writer: Writer, tenant: str, stored: dict[str, Any]) -> Entity:
    """A new entity from its stored form, checked, not yet saved (problems are NgsiErrors)."""
    community = _owner_for_new(writer=writer, attrs=stored["attrs"])
    # One time for every entity a request creates (a batch's entities are created together).
    moment = writer.moment
    created = _time_text(moment)
    for instances in stored["attrs"].values():
        _stamp(instances, created=created)
    # Ids rather than objects: a model instance costs less to make without the related
    # objects' descriptors, and a batch makes a thousand.
    return Entity(
        tenant=tenant,
        entity_id=stored["id"],
        types=stored["types"],
        attrs=stored["attrs"],
        scope=stored.get("scope", []),
        community_id=community.pk if community is not None else None,
        created_by_id=writer.user.pk,
        created_at=moment,
        modified_at=moment,
    )


CREATED = {"entityCreated", "attributeCreated"}


@transaction.atomic
def entity_create(
    *, user: AbstractBaseUser | None, tenant: str, document: Any, context: Any
) -> Entity:
    return _entity_create(writer=Writer.of(user), tenant=tenant, document=document, context=context)


def _entity_create(*, writer: Writer, tenant: str, document: Any, context: Any) -> Entity:
    stored = _new_stored(document, context)
    if Entity.objects.filter(tenant=tenant, entity_id=stored["id"]).exists():
        raise AlreadyExists(f"The entity {stored['id']} already exists.")
    if _taken_by_type(writer=writer, tenant=tenant, stored=stored):
        return Entity.objects.get(tenant=tenant, entity_id=stored["id"])
    entity = _new_entity(writer=writer, tenant=tenant, stored=stored)
    tenant_ensure(name=tenant)
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError as exc:
        raise AlreadyExists(f"The entity {entity.entity_id} already exists.") from exc
    _index(entity)
    _changed(entity=entity, triggers=CREATED, changed=set(entity.attrs))
    return entity


def _entities_insert(*, tenant: str, entities: list[Entity]) -> None:
    """New entities written together, a statement per table rather than a dozen per entity;
    what follows each is what follows `entity_create`. Raises IntegrityError if one of them
    appeared meanwhile (the caller then creates them one by one)."""
    if not entities:
        return
    tenant_ensure(name=tenant)
    with transaction.atomic():
        ids = rows_insert(
            Entity,
            ENTITY_COLUMNS,
            ([getattr(entity, name) for name in ENTITY_COLUMNS] for entity in entities),
            ids=True,
        )
        rows, history = IndexRows(), []
        for entity, pk in zip(entities, ids, strict=True):
            entity.pk = pk
            entity._state.adding = False
            index_rows_add(rows, entity)
            history += _history_rows(entity=entity, changed=set(entity.attrs))
        rows.insert()
        rows_insert(AttributeInstance, HISTORY_COLUMNS, history)
        candidates = subscriptions_active(tenant=tenant)
        if candidates:
            for entity in entities:
                subscriptions_notify(
                    entity=entity,
                    triggers=CREATED,
                    changed=set(entity.attrs),
                    candidates=candidates,
                )


ENTITY_COLUMNS = (
    "tenant", "entity_id", "types", "attrs", "scope", "community_id", "created_by_id",
    "hub_record", "created_at", "modified_at",
)  # fmt: skip


def _batch_create_new(
    *, writer: Writer, tenant: str, items: list[tuple[int, Any, Any]], result: BatchResult
) -> list[str]:
    """Create the entities of a batch that do not exist yet (position in the batch, document,
    context); returns the ids created."""
    prepared: list[tuple[int, Any, Any, Entity]] = []
    taken: list[str] = []
    for position, item, item_context in items:
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            stored = _new_stored(item, item_context)
            if _taken_by_type(writer=writer, tenant=tenant, stored=stored):
                result.succeed(stored["id"], position)
                taken.append(stored["id"])
                continue
            entity = _new_entity(writer=writer, tenant=tenant, stored=stored)
        except NgsiError as error:
            result.fail(entity_id, error, position)
        else:
            prepared.append((position, item, item_context, entity))
    try:
        _entities_insert(tenant=tenant, entities=[entity for *_, entity in prepared])
    except IntegrityError:
        # One of them appeared meanwhile: each on its own, as `entity_create` does.
        created = []
        for position, item, item_context, entity in prepared:
            try:
                with transaction.atomic():
                    _entity_create(
                        writer=writer, tenant=tenant, document=item, context=item_context
                    )
            except NgsiError as error:
                result.fail(entity.entity_id, error, position)
            else:
                result.succeed(entity.entity_id, position)
                created.append(entity.entity_id)
        return taken + created
    for position, _item, _context, entity in prepared:
        result.succeed(entity.entity_id, position)
    return taken + [entity.entity_id for *_, entity in prepared]


def entity_replace(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> Entity:
    return _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(_replace_change, document=document, context=context),
    )


def _replace_change(entity: Entity, *, document: Any, context: Any) -> Change[Entity]:
    entity_id = entity.entity_id
    if isinstance(document, dict) and document.get("id", entity_id) != entity_id:
        raise BadRequestData("id: the entity's id in the body differs from the one in the URL.")
    normalized = entity_normalize(
        {**document, "id": entity_id} if isinstance(document, dict) else document
    )
    _replace_apply(entity, _stored(normalized, context))
    return Change(
        result=entity,
        triggers={"entityUpdated", "attributeUpdated"},
        changed=set(entity.attrs),
        reindexed=None,
    )


def _replace_apply(entity: Entity, stored: dict[str, Any]) -> None:
    """The entity's types, attributes and scope replaced by a stored form, in memory; each
    attribute instance that was there keeps its createdAt."""
    created = now_text()
    for key, instances in stored["attrs"].items():
        _stamp(instances, created=created, previous=entity.attrs.get(key))
    entity.types = stored["types"]
    entity.attrs = stored["attrs"]
    entity.scope = stored.get("scope", [])


@transaction.atomic
def entity_delete(*, user: AbstractBaseUser | None, tenant: str, entity_id: str) -> None:
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    _changed(entity=entity, triggers={"entityDeleted"}, changed=set(entity.attrs))
    entity.delete()


def _fragment(document: Any, context: Any) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
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
    existing: list[dict[str, Any]], new: list[dict[str, Any]], *, created: str, overwrite: bool
) -> tuple[list[dict[str, Any]], bool]:
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


def entity_attrs_append(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    document: Any,
    context: Any,
    overwrite: bool = True,
) -> UpdateResult:
    return _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(_append_change, document=document, context=context, overwrite=overwrite),
    )


def _append_change(
    entity: Entity, *, document: Any, context: Any, overwrite: bool
) -> Change[UpdateResult]:
    types = entity.types
    result, names, added = _append_apply(entity, document, context, overwrite=overwrite)
    triggers, changed = _append_triggers(names, result, added=added)
    return Change(
        result=result,
        triggers=triggers,
        changed=changed,
        reindexed=changed if entity.types == types else None,
    )


def _append_apply(
    entity: Entity, document: Any, context: Any, *, overwrite: bool
) -> tuple[UpdateResult, dict[str, str], set[str]]:
    """The attributes of a document appended to the entity in memory (types and scope
    added); what was updated, the stored names, and which attributes are new."""
    _normalized, names, stored = _fragment(document, context)
    created = now_text()
    result = UpdateResult()
    added = set()
    for name, key in names.items():
        if name == "scope":
            continue
        if key not in entity.attrs:
            added.add(key)
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
    return result, names, added


NGSI_NULL = "urn:ngsi-ld:null"


def _is_null(value: Any) -> bool:
    return value == NGSI_NULL or (
        isinstance(value, dict)
        and any(value.get(member) == NGSI_NULL for member in ("value", "object", "vocab", "json"))
    )


@transaction.atomic
def entity_merge(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> None:
    """Merge-patch an entity: attributes sent are added or replaced, an attribute sent as
    `urn:ngsi-ld:null` is removed. The body is checked before the entity is looked up, so
    that an invalid one is named as such whether the entity exists or not (ETSI 057_03)."""
    if not isinstance(document, dict):
        raise BadRequestData("The body must be a JSON object of attributes.")
    if document.get("id", entity_id) != entity_id:
        raise BadRequestData("id: the entity's id in the body differs from the one in the URL.")
    removed = [name for name, value in document.items() if _is_null(value)]
    kept = {name: value for name, value in document.items() if name not in removed}
    _fragment(kept, context)
    entity = entity_get_for_writer(user=user, tenant=tenant, entity_id=entity_id)
    removed_keys = {key for key in ld.storage_names(removed, context) if key in entity.attrs}
    for key in removed_keys:
        del entity.attrs[key]
    if removed_keys:
        _save(entity)
        _changed(
            entity=entity, triggers={"entityUpdated", "attributeDeleted"}, changed=removed_keys
        )
    if {name for name in kept if name not in ("@context", "id", "type")} or "type" in kept:
        entity_attrs_append(
            user=user, tenant=tenant, entity_id=entity_id, document=kept, context=context
        )


def entity_attrs_update(
    *, user: AbstractBaseUser | None, tenant: str, entity_id: str, document: Any, context: Any
) -> UpdateResult:
    """Replace attributes the entity has; name the ones it has not."""
    return _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(_update_change, document=document, context=context),
    )


def _update_change(entity: Entity, *, document: Any, context: Any) -> Change[UpdateResult]:
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
        entity.attrs[key], _any = _instances_merge(existing, new, created=created, overwrite=True)
        result.updated.append(name)
    triggers, changed = _append_triggers(names, result, added=set())
    return Change(
        result=result,
        triggers=triggers,
        changed=changed,
        reindexed=changed,
        saved=bool(result.updated),
    )


def _merge(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
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
    _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(_patch_change, name=name, document=document, context=context),
    )


def _patch_change(entity: Entity, *, name: str, document: Any, context: Any) -> Change[None]:
    entity_id = entity.entity_id
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
    entity.attrs[key], _any = _instances_merge(existing, stored, created=now_text(), overwrite=True)
    return Change(
        None, triggers={"entityUpdated", "attributeUpdated"}, changed={key}, reindexed={key}
    )


def entity_attr_replace(
    *,
    user: AbstractBaseUser | None,
    tenant: str,
    entity_id: str,
    name: str,
    document: Any,
    context: Any,
) -> None:
    _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(_attr_replace_change, name=name, document=document, context=context),
    )


def _attr_replace_change(entity: Entity, *, name: str, document: Any, context: Any) -> Change[None]:
    entity_id = entity.entity_id
    key = ld.storage_name(name, context)
    if key not in entity.attrs:
        raise ResourceNotFound(f"The entity {entity_id} has no attribute {name}.")
    fragment = (
        {k: v for k, v in document.items() if k != "@context"}
        if isinstance(document, dict)
        else document
    )
    _normalized, _names_found, stored = _fragment({name: fragment}, context)
    entity.attrs[key], _any = _instances_merge(
        entity.attrs[key], stored["attrs"].get(key, []), created=now_text(), overwrite=True
    )
    return Change(
        None, triggers={"entityUpdated", "attributeUpdated"}, changed={key}, reindexed={key}
    )


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
    _entity_change(
        user=user,
        tenant=tenant,
        entity_id=entity_id,
        apply=partial(
            _attr_delete_change,
            name=name,
            context=context,
            dataset_id=dataset_id,
            delete_all=delete_all,
        ),
    )


def _attr_delete_change(
    entity: Entity, *, name: str, context: Any, dataset_id: str | None, delete_all: bool
) -> Change[None]:
    entity_id = entity.entity_id
    key = ld.storage_name(name, context)
    existing = entity.attrs.get(key)
    if not existing:
        raise ResourceNotFound(f"The entity {entity_id} has no attribute {name}.")
    if delete_all:
        kept: list[dict[str, Any]] = []
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
    return Change(
        None, triggers={"entityUpdated", "attributeDeleted"}, changed={key}, reindexed={key}
    )


def _changed(*, entity: Entity, triggers: set[str], changed: set[str]) -> None:
    """What follows every change of an entity: its history, then its subscribers told."""
    if triggers & DELETION_TRIGGERS:
        rows_insert(
            AttributeInstance,
            HISTORY_COLUMNS,
            _deletion_rows(entity=entity, changed=changed, everything="entityDeleted" in triggers),
        )
    else:
        _history_record(entity=entity, changed=changed)
    subscriptions_notify(entity=entity, triggers=triggers, changed=changed)


def _history_record(*, entity: Entity, changed: set[str]) -> None:
    rows_insert(AttributeInstance, HISTORY_COLUMNS, _history_rows(entity=entity, changed=changed))


def _history_rows(*, entity: Entity, changed: set[str]) -> list[tuple[Any, ...]]:
    """The temporal instances of the attributes that changed (see `HISTORY_COLUMNS`). Of a
    multi-attribute, only the instances a write changed: the others are kept already."""
    moment = timezone.now()
    before = getattr(entity, "attrs_before", {})
    rows = []
    for key in changed:
        for instance in entity.attrs.get(key, []):
            if instance in before.get(key, ()):
                continue
            observed = instance.get("observedAt")
            when = (
                datetime.fromisoformat(observed.replace("Z", "+00:00"))
                if is_datetime(observed)
                else moment
            )
            rows.append(
                (entity.tenant, entity.entity_id, entity.types, key, instance, when, moment)
            )
    return rows


# How a deleted instance's value is told in the history (CIM 009 v1.8, 4.5.x: NGSI-LD Null
# in the member of its type; a LanguageProperty's as the language map the ETSI suite reads,
# 020_17_03).
DELETED_VALUES: dict[str, Any] = {
    "languageMap": {"@none": NGSI_NULL},
    "valueList": [NGSI_NULL],
    "objectList": [{"object": NGSI_NULL}],
}


def _deletion_rows(*, entity: Entity, changed: set[str], everything: bool) -> list[tuple[Any, ...]]:
    """History rows (see `HISTORY_COLUMNS`) telling that a deletion removed instances of the
    attributes changed: all of the entity's with `everything`, otherwise those whose datasetId
    the entity no longer has. Each is the spec's deleted instance: its type and datasetId,
    its value NGSI-LD Null, and `deletedAt`, the only time it has."""
    now = timezone.now()
    # To the millisecond shown, so that timerel compares the time a reader sees.
    moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
    deleted_at = _time_text(moment)
    before = entity.attrs if everything else getattr(entity, "attrs_before", {})
    rows = []
    for key in changed:
        kept = (
            set() if everything else {item.get("datasetId") for item in entity.attrs.get(key, [])}
        )
        for instance in before.get(key, []):
            if instance.get("datasetId") in kept:
                continue
            kind = instance.get("type", "Property")
            member = ATTRIBUTE_TYPES.get(kind, "value")
            deleted = {"type": kind, member: DELETED_VALUES.get(member, NGSI_NULL)}
            if "datasetId" in instance:
                deleted["datasetId"] = instance["datasetId"]
            deleted["deletedAt"] = deleted_at
            rows.append(
                (entity.tenant, entity.entity_id, entity.types, key, deleted, moment, moment)
            )
    return rows


def _append_triggers(
    names: dict[str, str], result: UpdateResult, *, added: set[str]
) -> tuple[set[str], set[str]]:
    """The triggers of an append and the attributes (stored names) it changed."""
    changed = {names[name] for name in result.updated if name in names}
    triggers = {"entityUpdated"}
    if changed & added:
        triggers.add("attributeCreated")
    if changed - added:
        triggers.add("attributeUpdated")
    return triggers, changed


# Batch operations: each entity on its own, so that one failure does not undo the others.


@dataclass
class BatchResult:
    """What became of each entity of a batch, reported in the order of the batch."""

    success: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    _done: list[tuple[int, bool, Any]] = field(default_factory=list)

    def fail(self, entity_id: Any, error: NgsiError, position: int | None = None) -> None:
        entry = {
            "entityId": entity_id if isinstance(entity_id, str) else str(entity_id),
            "error": error.problem(),
        }
        self._done.append((len(self._done) if position is None else position, False, entry))
        self.errors.append(entry)

    def succeed(self, entity_id: str, position: int) -> None:
        self._done.append((position, True, entity_id))
        self.success.append(entity_id)

    def in_order(self) -> BatchResult:
        done = sorted(self._done, key=lambda item: item[0])
        self.success = [entry for _, ok, entry in done if ok]
        self.errors = [entry for _, ok, entry in done if not ok]
        return self

    def as_json(self) -> dict[str, Any]:
        return {"success": self.success, "errors": self.errors}


def _batch_items(documents: Any) -> list[Any]:
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
    writer = Writer.of(user)
    result = BatchResult()
    items = _batch_items(documents)
    existing = _existing_ids(tenant, items)
    new: list[tuple[int, Any, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        entity_id = item.get("id") if isinstance(item, dict) else None
        if entity_id in seen:
            error = AlreadyExists(f"The entity {entity_id} is twice in the batch.")
            result.fail(entity_id, error, position)
        elif entity_id in existing:
            result.fail(
                entity_id, AlreadyExists(f"The entity {entity_id} already exists."), position
            )
        else:
            if isinstance(entity_id, str):
                seen.add(entity_id)
            new.append((position, item, _item_context(item, context)))
    _batch_create_new(writer=writer, tenant=tenant, items=new, result=result)
    return result.in_order()


def _existing_ids(tenant: str, items: list[Any]) -> set[str]:
    ids = [
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    if connection.vendor == "postgresql":
        return set(_found_postgresql(tenant, ids))
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(
            Entity.objects.filter(
                tenant=tenant, entity_id__in=ids[start : start + 500]
            ).values_list("entity_id", flat=True)
        )
    return found


def _found_postgresql(tenant: str, ids: list[str]) -> dict[str, int]:
    """The entities of these ids the tenant has (id -> pk), one probe of the unique index per
    id. The plain `entity_id IN (...)` depends on the table's statistics: without them (a
    table just filled, not yet analysed) PostgreSQL reads every entity of the tenant instead.
    LIMIT 1 keeps the subquery a probe: without it the join may become one over the whole
    tenant."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT found.entity_id, found.id FROM unnest(%s::text[]) AS wanted(id)"
            " CROSS JOIN LATERAL (SELECT entity_id, id FROM ngsi_entity WHERE tenant = %s"
            " AND entity_id = wanted.id LIMIT 1) AS found",
            [ids, tenant],
        )
        return dict(cursor.fetchall())


def entities_batch_upsert(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any, replace: bool
) -> tuple[BatchResult, list[str]]:
    """Create what is new (together), replace (or update) what exists; also says which ids
    were new."""
    writer = Writer.of(user)
    result = BatchResult()
    items = _batch_items(documents)
    existing = _existing_ids(tenant, items)
    new: list[tuple[int, Any, Any]] = []
    new_ids: set[str] = set()
    created: list[str] = []
    existing_items: list[tuple[int, Any, Any, Any]] = []
    for position, item in enumerate(items):
        entity_id = item.get("id") if isinstance(item, dict) else None
        item_context = _item_context(item, context)
        if entity_id not in existing and entity_id not in new_ids:
            if isinstance(entity_id, str):
                new_ids.add(entity_id)
            new.append((position, item, item_context))
            continue
        if entity_id in new_ids:
            # Twice in the batch: the second one changes what the first creates.
            created += _batch_create_new(writer=writer, tenant=tenant, items=new, result=result)
            existing |= new_ids
            new, new_ids = [], set()
        existing_items.append((position, entity_id, item, item_context))
    created += _batch_create_new(writer=writer, tenant=tenant, items=new, result=result)
    _batch_change(
        writer=writer,
        tenant=tenant,
        items=existing_items,
        result=result,
        mode="replace" if replace else "upsert-update",
    )
    return result.in_order(), created


def _entities_lock(tenant: str, ids: Iterable[str]) -> dict[str, Entity]:
    """The entities of these ids, locked, read a few hundred at a time."""
    ids = list(dict.fromkeys(ids))
    locked: dict[str, Entity] = {}
    if connection.vendor == "postgresql":
        # Found by their ids first, for the same reason as in `_existing_ids`.
        pks = list(_found_postgresql(tenant, ids).values())
        for start in range(0, len(pks), 500):
            rows = Entity.objects.select_for_update().filter(pk__in=pks[start : start + 500])
            locked.update((entity.entity_id, entity) for entity in rows)
        return locked
    for start in range(0, len(ids), 500):
        rows = Entity.objects.select_for_update().filter(
            tenant=tenant, entity_id__in=ids[start : start + 500]
        )
        locked.update((entity.entity_id, entity) for entity in rows)
    return locked


def _batch_change(
    *,
    writer: Writer,
    tenant: str,
    items: list[tuple[int, Any, Any, Any]],
    result: BatchResult,
    mode: str,
    overwrite: bool = True,
) -> None:
    """Change the existing entities of a batch (position, id, document, context) together:
    locked in one query, each checked and changed in memory as `entity_replace` (mode
    "replace") or `entity_attrs_append` ("upsert-update": whole entities; "update": the
    attributes of entityOperations/update) does, then written a statement per table. An
    entity that fails changes nothing, except in "update" one whose attributes were kept
    by `noOverwrite`: the others are written, and it is named among the errors."""
    if not items:
        return
    with transaction.atomic():
        locked = _entities_lock(tenant, (entity_id for _, entity_id, _, _ in items))
        candidates = subscriptions_active(tenant=tenant)
        replaced: dict[int, Entity] = {}
        history: list[tuple[Any, ...]] = []
        for position, entity_id, item, item_context in items:
            kept = None
            try:
                if mode != "update":
                    normalized = entity_normalize({**item, "id": entity_id})
                    stored = _stored(normalized, item_context)
                    if _taken_by_type(writer=writer, tenant=tenant, stored=stored):
                        result.succeed(entity_id, position)
                        continue
                entity = locked.get(entity_id)
                if entity is None and mode == "update":
                    # A bad body is named as such before the entity is found missing, as
                    # batch merge does (ETSI 057_03_02).
                    _fragment(item, item_context)
                _write_check(entity, entity_id, may_write=_may_write(writer, entity))
                if mode == "replace":
                    _replace_apply(entity, stored)
                    triggers, changed = {"entityUpdated", "attributeUpdated"}, set(entity.attrs)
                else:
                    # Its problems were found (by entity_normalize above, or _fragment within)
                    # before any change.
                    outcome, names, added = _append_apply(
                        entity, item, item_context, overwrite=overwrite
                    )
                    triggers, changed = _append_triggers(names, outcome, added=added)
                    if outcome.not_updated:
                        kept = BadRequestData(
                            "Not updated: "
                            + ", ".join(entry["attributeName"] for entry in outcome.not_updated)
                        )
            except NgsiError as error:
                result.fail(entity_id, error, position)
                continue
            entity.modified_at = writer.moment
            replaced[entity.pk] = entity
            history += _history_rows(entity=entity, changed=changed)
            if candidates and changed:
                subscriptions_notify(
                    entity=entity, triggers=triggers, changed=changed, candidates=candidates
                )
            if kept is None:
                result.succeed(entity_id, position)
            else:
                result.fail(entity_id, kept, position)
        _entities_rewrite(list(replaced.values()))
        rows_insert(AttributeInstance, HISTORY_COLUMNS, history)


def _may_write(writer: Writer, entity: Entity | None) -> bool:
    """`entity_may_write` with what the writer may write read once for the whole batch."""
    if entity is None or entity.hub_record:
        return False
    return writer.is_admin or (
        entity.community_id is not None and entity.community_id in writer.writable
    )


def _entities_rewrite(entities: list[Entity]) -> None:
    """Changed entities saved together, their index rows written anew."""
    rows_update(
        Entity,
        ("types", "attrs", "scope", "modified_at"),
        ((e.types, e.attrs, e.scope, e.modified_at, e.pk) for e in entities),
    )
    pks = [entity.pk for entity in entities]
    for model in (EntityType, EntityLocation, EntityValue):
        rows_delete(model, "entity_id", pks)
    index = IndexRows()
    for entity in entities:
        index_rows_add(index, entity)
    index.insert()


def entities_batch_update(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any, overwrite: bool
) -> BatchResult:
    """Append the attributes of each entity of the batch (`noOverwrite`: keep those it
    has), all of them together as `_batch_change` does; each failure is named."""
    writer = Writer.of(user)
    result = BatchResult()
    items: list[tuple[int, Any, Any, Any]] = []
    for position, item in enumerate(_batch_items(documents)):
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise BadRequestData("Each entity must be a JSON object.")
            entity_id_check(entity_id)
        except NgsiError as error:
            result.fail(entity_id, error, position)
            continue
        items.append((position, entity_id, item, _item_context(item, context)))
    _batch_change(
        writer=writer, tenant=tenant, items=items, result=result, mode="update", overwrite=overwrite
    )
    return result.in_order()


def entities_batch_merge(
    *, user: AbstractBaseUser | None, tenant: str, documents: Any, context: Any
) -> BatchResult:
    """Merge-patch each entity of the batch as `entity_merge` does (5.6.20), each in its own
    savepoint, so that an entity that fails changes nothing and is named."""
    result = BatchResult()
    for position, item in enumerate(_batch_items(documents)):
        entity_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise BadRequestData("Each entity must be a JSON object.")
            entity_id_check(entity_id)
            fragment = {name: value for name, value in item.items() if name != "@context"}
            with transaction.atomic():
                entity_merge(
                    user=user,
                    tenant=tenant,
                    entity_id=entity_id,
                    document=fragment,
                    context=_item_context(item, context),
                )
        except NgsiError as error:
            result.fail(entity_id, error, position)
            continue
        result.succeed(entity_id, position)
    return result.in_order()


def entities_batch_delete(
    *, user: AbstractBaseUser | None, tenant: str, entity_ids: Any
) -> BatchResult:
    """Delete the entities of the batch together: locked in one query, each checked as
    `entity_delete` does and its subscribers told, then deleted in one statement per table.
    An id given twice is deleted once, and the second is not found."""
    writer = Writer.of(user)
    result = BatchResult()
    with transaction.atomic():
        ids = [item for item in _batch_items(entity_ids) if isinstance(item, str)]
        locked = _entities_lock(tenant, ids)
        candidates = subscriptions_active(tenant=tenant)
        gone: list[int] = []
        history: list[tuple[Any, ...]] = []
        for position, entity_id in enumerate(_batch_items(entity_ids)):
            try:
                if not isinstance(entity_id, str):
                    raise BadRequestData("Each item must be an entity id (a URI).")
                entity_id_check(entity_id)
                entity = locked.pop(entity_id, None)
                _write_check(entity, entity_id, may_write=_may_write(writer, entity))
            except NgsiError as error:
                result.fail(entity_id, error, position)
                continue
            if candidates:
                subscriptions_notify(
                    entity=entity,
                    triggers={"entityDeleted"},
                    changed=set(entity.attrs),
                    candidates=candidates,
                )
            history += _deletion_rows(entity=entity, changed=set(entity.attrs), everything=True)
            gone.append(entity.pk)
            result.succeed(entity_id, position)
        rows_insert(AttributeInstance, HISTORY_COLUMNS, history)
        for model in (EntityType, EntityLocation, EntityValue):
            rows_delete(model, "entity_id", gone)
        for start in range(0, len(gone), 500):
            Entity.objects.filter(pk__in=gone[start : start + 500]).delete()
    return result.in_order()


# JSON-LD contexts the hub hosts.


@transaction.atomic
def context_create(*, user: AbstractBaseUser | None, document: Any) -> JsonLdContext:
    user = _writer_check(user)
    if not isinstance(document, dict) or set(document) != {"@context"}:
        raise BadRequestData('The body must be a JSON object with only "@context".')
    if not isinstance(document["@context"], (dict, list, str)):
        raise BadRequestData("@context must be an object, a URL or a list of them.")
    ld.to_storage({"id": "urn:ngsi-ld:check"}, document["@context"])
    row = JsonLdContext(
        kind=JsonLdContext.Kind.HOSTED, body=document, owner=user, created_at=timezone.now()
    )
    row.url = ld.hosted_url(row.pk)
    row.save()
    return row


def _csf_check(body: dict[str, Any]) -> None:
    """A subscription's `csf` is kept but not applied (the hub has no context sources);
    it must still be a valid query (5.2.12), so that a mistake is named when sent."""
    if "csf" not in body:
        return
    if not isinstance(body["csf"], str) or not body["csf"]:
        raise BadRequestData("csf: a query string (the language of q).")
    csf_parse(body["csf"])


def context_implicit_ensure(*, user: AbstractBaseUser, context: Any) -> str | None:
    """For an @context that is not one URL (a list, an object), the implicitly created
    context that holds it, made once; returns its URL (None for a URL or no context)."""
    if not ld.needs_implicit(context):
        return None
    local_id = ld.implicit_id(context)
    row, _created = JsonLdContext.objects.get_or_create(
        pk=local_id,
        defaults={
            "url": ld.hosted_url(local_id),
            "kind": JsonLdContext.Kind.IMPLICITLY_CREATED,
            "body": {"@context": context},
            "owner": user,
            "created_at": timezone.now(),
        },
    )
    return row.url


def contexts_hit(*, context: Any) -> None:
    """Count a use of the hosted, cached or implicitly created contexts a request names
    (`numberOfHits`, `lastUsage`); the core and shipped contexts are not counted."""
    urls = [
        url
        for url in ld.context_list(context)
        if isinstance(url, str) and not ld.is_core(url) and url not in ld.SHIPPED
    ]
    if urls:
        JsonLdContext.objects.filter(url__in=urls).update(
            hits=F("hits") + 1, last_usage=timezone.now()
        )


@transaction.atomic
def context_delete(*, user: AbstractBaseUser | None, context_id: str, reload: bool = False) -> None:
    """Delete a hosted or cached context (by its localId or URL); `reload` fetches a cached
    one again instead (6.3.x, `DELETE /jsonldContexts/{id}?reload=true`)."""
    user = _writer_check(user)
    if ld.is_core(context_id) or context_id in ld.SHIPPED or ld.shipped_url(context_id):
        raise BadRequestData("The core context and the shipped contexts cannot be deleted.")
    row = (
        JsonLdContext.objects.filter(pk=context_id.removeprefix("urn:ngsi-ld:")).first()
        or JsonLdContext.objects.filter(url=context_id).first()
    )
    if row is None:
        raise ResourceNotFound(f"There is no JSON-LD context {context_id}.")
    if reload and row.kind != JsonLdContext.Kind.CACHED:
        raise BadRequestData(
            "reload: only a cached context is reloaded; a hosted or implicitly created one is not."
        )
    if (
        row.kind in (JsonLdContext.Kind.HOSTED, JsonLdContext.Kind.IMPLICITLY_CREATED)
        and row.owner_id != user.pk
        and not user.has_perm(ADMIN_PERMISSION)
    ):
        raise Forbidden("Only the one who added (or implicitly made) a context deletes it.")
    ld.fetched_forget(row.url)
    row.delete()
    if reload:
        ld.context_reload(row.url)


# Subscriptions and their notifications.

TRIGGERS = {
    "entityCreated",
    "entityUpdated",
    "entityDeleted",
    "attributeCreated",
    "attributeUpdated",
    "attributeDeleted",
}
DEFAULT_TRIGGERS = ["attributeCreated", "attributeUpdated"]
NOTIFY_TIMEOUT = 5.0
MAX_ATTEMPTS = 5
# A claimed notification whose worker died is queued again once its claim is this old
# (more than NOTIFY_TIMEOUT: a sender holds one claim at a time).
CLAIM_LEASE = timedelta(seconds=60)
# A sender whose queue is empty looks again this often, for this long, before it ends: under
# steady traffic one task sends many notifications without the worker's round trip (queue,
# poll, claim the task, record its result) for each, and its looks are reads, which wait for
# no write lock. It ends after NOTIFY_SPAN in any case, so that the worker turns to its
# other tasks.
NOTIFY_POLL = 0.01
NOTIFY_LINGER = 1.0
NOTIFY_SPAN = 10.0
# A sender reads this many new notifications at a time, and claims them one by one.
NOTIFY_BATCH = 50


def key_values(items: Any, member: str) -> dict[str, str]:
    """notifierInfo and receiverInfo: a list of {key, value} pairs of strings, as a dict."""
    if items is None:
        return {}
    if not isinstance(items, list) or not all(
        isinstance(item, dict)
        and set(item) == {"key", "value"}
        and isinstance(item["key"], str)
        and isinstance(item["value"], str)
        for item in items
    ):
        raise BadRequestData(f"{member}: a list of {{key, value}} pairs of strings.")
    return {item["key"]: item["value"] for item in items}


# The formats a notification may take, and the rendering each is.
NOTIFICATION_FORMATS = {
    "normalized": "normalized",
    "concise": "concise",
    "keyValues": "keyValues",
    "simplified": "keyValues",
}


def _subscription_read(
    document: Any, context: Any, *, partial: bool = False, as_sent: bool = True
) -> dict[str, Any]:
    """A subscription body checked; returns the fields to store, every mistake named.
    `as_sent` is false for a stored subscription merged with a change, whose `expiresAt`
    may have passed since."""
    if not isinstance(document, dict):
        raise BadRequestData("The subscription must be a JSON object.")
    body = {key: value for key, value in document.items() if key != "@context"}
    if not partial and body.get("type") != "Subscription":
        raise BadRequestData('type: a subscription has "type": "Subscription".')
    if "id" in body:
        entity_id_check(body["id"])
    _csf_check(body)
    fields: dict[str, Any] = {}
    if "timeInterval" in body:
        interval = body["timeInterval"]
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
            raise BadRequestData("timeInterval: a number of seconds greater than 0.")
        if "watchedAttributes" in body:
            raise BadRequestData(
                "timeInterval and watchedAttributes: a subscription has one or the other."
            )
        fields["time_interval"] = float(interval)
    if "entities" in body:
        selectors_given = body["entities"]
        if not isinstance(selectors_given, list) or not selectors_given:
            raise BadRequestData("entities: a non-empty list of {type, id or idPattern}.")
        stored = []
        for item in selectors_given:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                raise BadRequestData("entities: each entity selector needs a type.")
            if "id" in item:
                entity_id_check(item["id"])
            if "idPattern" in item:
                try:
                    re.compile(item["idPattern"])
                except (re.error, TypeError) as exc:
                    raise BadRequestData(
                        "entities: idPattern is not a regular expression."
                    ) from exc
            stored.append(
                {
                    "type": ld.storage_name(item["type"], context),
                    "id": item.get("id"),
                    "idPattern": item.get("idPattern"),
                }
            )
        fields["entity_selectors"] = stored
    if "watchedAttributes" in body:
        watched = body["watchedAttributes"]
        if (
            not isinstance(watched, list)
            or not watched
            or not all(isinstance(n, str) for n in watched)
        ):
            raise BadRequestData("watchedAttributes: a non-empty list of attribute names.")
        fields["watched"] = ld.storage_names(watched, context)
    if not partial and not fields.get("entity_selectors") and not fields.get("watched"):
        raise BadRequestData("A subscription needs entities or watchedAttributes.")
    if not partial and "time_interval" in fields and not fields.get("entity_selectors"):
        raise BadRequestData("timeInterval: a periodic subscription needs entities.")
    if "notificationTrigger" in body:
        triggers = body["notificationTrigger"]
        if not isinstance(triggers, list) or not triggers or set(triggers) - TRIGGERS:
            raise BadRequestData(
                "notificationTrigger: a list of " + ", ".join(sorted(TRIGGERS)) + "."
            )
        fields["triggers"] = triggers
    if "q" in body:
        if not isinstance(body["q"], str):
            raise BadRequestData("q: must be a string.")
        q_parse(body["q"])
    if "geoQ" in body:
        geo = body["geoQ"]
        if not isinstance(geo, dict):
            raise BadRequestData("geoQ: must be an object with georel, geometry, coordinates.")
        geoquery_parse(
            georel=geo.get("georel"),
            geometry=geo.get("geometry"),
            coordinates=geo.get("coordinates"),
            geoproperty="location",
        )
    if "lang" in body:
        _lang_check(body["lang"])
    if "datasetId" in body:
        _subscription_datasets(body["datasetId"])
    if "isActive" in body:
        if not isinstance(body["isActive"], bool):
            raise BadRequestData("isActive: true or false.")
        fields["is_active"] = body["isActive"]
    if "expiresAt" in body:
        if not is_datetime(body["expiresAt"]):
            raise BadRequestData("expiresAt: a date and time (ISO 8601, with Z).")
        fields["expires_at"] = datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00"))
        if as_sent and fields["expires_at"] <= timezone.now():
            raise BadRequestData("expiresAt: must be in the future.")
    if "throttling" in body:
        throttling = body["throttling"]
        if (
            isinstance(throttling, bool)
            or not isinstance(throttling, (int, float))
            or throttling < 0
        ):
            raise BadRequestData("throttling: a number of seconds, 0 or more.")
        fields["throttling"] = float(throttling)
        if "timeInterval" in body:
            raise BadRequestData(
                "throttling and timeInterval: a subscription has one or the other."
            )
    if "notification" in body or not partial:
        notification = body.get("notification")
        endpoint = notification.get("endpoint") if isinstance(notification, dict) else None
        uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
        if not is_uri(uri):
            raise BadRequestData("notification.endpoint.uri: the URI to notify is missing.")
        for member in ("notifierInfo", "receiverInfo"):
            key_values(endpoint.get(member), f"notification.endpoint.{member}")
        if uri.startswith(("mqtt://", "mqtts://")):
            problem = mqtt.endpoint_check(uri, key_values(endpoint.get("notifierInfo"), ""))
            if problem:
                raise BadRequestData(f"notification.endpoint: {problem}.")
        elif not uri.startswith(("http://", "https://")):
            raise OperationNotSupported(
                "notification.endpoint.uri: only http, https, mqtt and mqtts endpoints are "
                "supported."
            )
        fmt = notification.get("format", "normalized")
        if fmt not in NOTIFICATION_FORMATS:
            raise BadRequestData(
                "notification.format: normalized, concise, keyValues or simplified."
            )
        for flag in ("sysAttrs", "showChanges"):
            if not isinstance(notification.get(flag, False), bool):
                raise BadRequestData(f"notification.{flag}: true or false.")
        attributes = notification.get("attributes")
        if attributes is not None and not (
            isinstance(attributes, list) and all(isinstance(name, str) for name in attributes)
        ):
            raise BadRequestData("notification.attributes: a list of attribute names.")
        _projection_check(notification)
        accept = endpoint.get("accept", "application/json")
        if accept not in ("application/json", "application/ld+json"):
            raise BadRequestData(
                "notification.endpoint.accept: application/json or application/ld+json."
            )
    return fields


def _projection_check(notification: dict[str, Any]) -> None:
    """`notification.pick` and `.omit` (CIM 009 v1.8, 4.21, 5.2.14): lists of the entity
    members to keep or leave out, one or the other and neither with `attributes`, as on a
    query (ETSI 028_08)."""
    for member in ("pick", "omit"):
        names = notification.get(member)
        if names is not None and not (
            isinstance(names, list) and names and all(isinstance(n, str) and n for n in names)
        ):
            raise BadRequestData(
                f"notification.{member}: a list of entity members (id, type or attribute names)."
            )
    given = [member for member in ("pick", "omit") if notification.get(member) is not None]
    if len(given) == 2:
        raise BadRequestData("notification.pick and notification.omit: give one or the other.")
    if given and notification.get("attributes") is not None:
        raise BadRequestData(
            f"notification.attributes and notification.{given[0]}: give one or the other."
        )


def _subscription_datasets(value: Any) -> list[str | None]:
    """A subscription's `datasetId` (CIM 009 v1.8, 5.2.12, 4.5.5): the datasetIds whose
    instances its notifications show (None: the default instance, `@none`), as a query's
    `datasetId` parameter does (ETSI 046_19)."""
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(item, str) and (item == "@none" or is_uri(item)) for item in items)
    ):
        raise BadRequestData("datasetId: a list of datasetIds (URIs), @none for the default one.")
    return [None if item == "@none" else item for item in items]


def _lang_check(lang: Any) -> None:
    """A subscription's `lang` (CIM 009 v1.8, 5.2.12): the languages its notifications reduce
    LanguageProperties to, as the `lang` of a query (4.15)."""
    if not isinstance(lang, str) or not lang.strip():
        raise BadRequestData(
            'lang: a language tag, or tags separated by commas (e.g. "fr", "fr,en;q=0.8", "*").'
        )


@transaction.atomic
def subscription_create(
    *, user: AbstractBaseUser | None, tenant: str, document: Any, context: Any
) -> Subscription:
    user = _writer_check(user)
    fields = _subscription_read(document, context)
    subscription_id = document.get("id") or f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
    if Subscription.objects.filter(tenant=tenant, subscription_id=subscription_id).exists():
        raise AlreadyExists(f"The subscription {subscription_id} already exists.")
    tenant_ensure(name=tenant)
    body = {key: value for key, value in document.items() if key != "@context"}
    body["id"] = subscription_id
    implicit = context_implicit_ensure(user=user, context=context)
    if implicit:
        body.setdefault("jsonldContext", implicit)
    moment = timezone.now()
    subscription = Subscription.objects.create(
        tenant=tenant,
        subscription_id=subscription_id,
        owner=user,
        document=body,
        context=context,
        created_at=moment,
        modified_at=moment,
        **{"triggers": DEFAULT_TRIGGERS, **fields},
    )
    if subscription.time_interval:
        # The first periodic notification goes out now, not at the next run of the chain.
        transaction.on_commit(tasks.subscriptions_periodic_run.enqueue)
    return subscription


def subscription_get_for_owner(
    *, user: AbstractBaseUser | None, tenant: str, subscription_id: str, lock: bool = False
) -> Subscription:
    """A subscription of the token's owner; someone else's is as missing as none."""
    user = _writer_check(user)
    rows = Subscription.objects.filter(tenant=tenant, subscription_id=subscription_id, owner=user)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise ResourceNotFound(f"There is no subscription {subscription_id} of yours.")
    return found


@transaction.atomic
def subscription_update(
    *, user: AbstractBaseUser | None, tenant: str, subscription_id: str, document: Any, context: Any
) -> Subscription:
    subscription = subscription_get_for_owner(
        user=user, tenant=tenant, subscription_id=subscription_id, lock=True
    )
    if isinstance(document, dict) and document.get("id", subscription_id) != subscription_id:
        raise BadRequestData("id: the subscription's id cannot change.")
    fields = _subscription_read(document, context, partial=True)
    if not isinstance(document, dict) or not {
        k for k in document if k not in ("@context", "id", "type")
    }:
        raise BadRequestData("Send at least one member of the subscription to change.")
    merged = {
        **subscription.document,
        **{key: value for key, value in document.items() if key != "@context"},
    }
    _subscription_read(merged, context, as_sent=False)
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.document = merged
    subscription.modified_at = timezone.now()
    subscription.save()
    if subscription.time_interval:
        transaction.on_commit(tasks.subscriptions_periodic_run.enqueue)
    return subscription


@transaction.atomic
def subscription_delete(
    *, user: AbstractBaseUser | None, tenant: str, subscription_id: str
) -> None:
    subscription_get_for_owner(
        user=user, tenant=tenant, subscription_id=subscription_id, lock=True
    ).delete()


def _selector_match(subscription: Subscription, entity: Entity) -> bool:
    if not subscription.entity_selectors:
        return True
    for item in subscription.entity_selectors:
        if item["type"] not in entity.types:
            continue
        if item.get("id") and item["id"] != entity.entity_id:
            continue
        if item.get("idPattern") and not re.fullmatch(item["idPattern"], entity.entity_id):
            continue
        return True
    return False


def _subscription_wants(
    subscription: Subscription, entity: Entity, *, triggers: set[str], changed: set[str]
) -> bool:
    now = timezone.now()
    if not subscription.is_active or (subscription.expires_at and subscription.expires_at <= now):
        return False
    if not triggers & set(subscription.triggers):
        return False
    if subscription.watched and not changed & set(subscription.watched):
        return False
    if not _subscription_matches(subscription, entity):
        return False
    return not (
        subscription.throttling
        and subscription.last_notification
        and (now - subscription.last_notification).total_seconds() < subscription.throttling
    )


def _subscription_matches(subscription: Subscription, entity: Entity) -> bool:
    """Whether an entity is one the subscription is about: entities, q and geoQ."""
    document = subscription.document
    if not _selector_match(subscription, entity):
        return False
    if document.get("q"):
        tree = q_parse(document["q"])
        names = tree_names(tree)
        mapping = dict(zip(names, ld.storage_names(names, subscription.context), strict=True))
        if not q_match(tree_map(tree, mapping), {"attrs": entity.attrs}):
            return False
    if document.get("geoQ"):
        geo_document = document["geoQ"]
        geo = geoquery_parse(
            georel=geo_document.get("georel"),
            geometry=geo_document.get("geometry"),
            coordinates=geo_document.get("coordinates"),
            geoproperty=ld.storage_name(
                geo_document.get("geoproperty") or "location", subscription.context
            ),
        )
        geometries = [
            geometry_of(item.get("value"))
            for item in instances_of(entity.attrs.get(geo.geoproperty))
        ]
        if not any(item is not None and geo.matches(item) for item in geometries):
            return False
    return True


def _notification_queue(
    subscription: Subscription,
    entities: list[Entity],
    *,
    triggers: set[str] | None = None,
    changed: set[str] | None = None,
) -> Notification:
    """Queue one notification of these entities, rendered as the subscription asks (with the
    change that `triggers` and `changed` name, if any)."""
    notification_spec = subscription.document.get("notification", {})
    attributes = notification_spec.get("attributes")
    render = Render(
        context=subscription.context,
        fmt=NOTIFICATION_FORMATS[notification_spec.get("format", "normalized")],
        sys_attrs=notification_spec.get("sysAttrs") is True,
        lang=subscription.document.get("lang"),
        attrs=ld.storage_names(attributes, subscription.context) if attributes else None,
        pick=notification_spec.get("pick"),
        omit=notification_spec.get("omit"),
        datasets=(
            _subscription_datasets(subscription.document["datasetId"])
            if "datasetId" in subscription.document
            else None
        ),
    )
    data = [
        entity_render_change(
            entity,
            render,
            triggers=triggers,
            changed=changed or set(),
            show_changes=notification_spec.get("showChanges") is True,
        )
        if triggers
        else entity_render(entity, render)
        for entity in entities
    ]
    if notification_spec.get("endpoint", {}).get("accept") == "application/ld+json":
        for item in data:
            item["@context"] = subscription.context or ld.CORE_URL
    payload = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": subscription.subscription_id,
        "notifiedAt": now_text(),
        "data": data,
    }
    notification = Notification.objects.create(
        subscription=subscription, payload=payload, created_at=timezone.now()
    )
    tasks.notifications_send_after_commit()
    return notification


def subscriptions_notify(
    *,
    entity: Entity,
    triggers: set[str],
    changed: set[str],
    candidates: list[Subscription] | None = None,
) -> int:
    """Queue a notification for every subscription the change concerns; returns how many.
    Periodic subscriptions (timeInterval) are left to `subscriptions_periodic_notify`. A batch
    passes the `subscriptions_active` it read once for all its entities."""
    queued = 0
    if candidates is None:
        candidates = subscriptions_active(tenant=entity.tenant)
    for subscription in candidates:
        if not _subscription_wants(subscription, entity, triggers=triggers, changed=changed):
            continue
        _notification_queue(subscription, [entity], triggers=triggers, changed=changed)
        if subscription.throttling:
            # Throttling counts from the last notification queued; in memory too, for the
            # batch's next entities. Other subscriptions have `last_notification` set when
            # the sender sends: one row that every change would write otherwise is a lock
            # that all writers queue for on PostgreSQL.
            subscription.last_notification = timezone.now()
            Subscription.objects.filter(pk=subscription.pk).update(
                last_notification=subscription.last_notification
            )
        queued += 1
    return queued


def subscriptions_active(*, tenant: str) -> list[Subscription]:
    """The subscriptions a change in the tenant may concern (not the periodic ones)."""
    return list(
        Subscription.objects.filter(tenant=tenant, is_active=True, time_interval__isnull=True)
    )


# A periodic notification carries at most this many entities (the first by creation).
PERIODIC_LIMIT = 1000


def _periodic_due(now: datetime) -> QuerySet[Subscription]:
    return Subscription.objects.filter(time_interval__isnull=False, is_active=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def _is_due(subscription: Subscription, now: datetime) -> bool:
    last = subscription.last_notification
    return last is None or (now - last).total_seconds() >= subscription.time_interval


def subscriptions_periodic_notify(*, now: datetime | None = None) -> int:
    """Queue a notification of the matching entities for every periodic subscription whose
    interval has run out since its last one; returns how many were queued. A period with no
    matching entity sends nothing but still counts as one."""
    now = now or timezone.now()
    queued = 0
    for pk in list(_periodic_due(now).values_list("pk", flat=True)):
        with transaction.atomic():
            subscription = _periodic_due(now).select_for_update().filter(pk=pk).first()
            if subscription is None or not _is_due(subscription, now):
                continue
            types = {item["type"] for item in subscription.entity_selectors}
            rows = Entity.objects.filter(
                tenant=subscription.tenant,
                pk__in=EntityType.objects.filter(tenant=subscription.tenant, name__in=types).values(
                    "entity_id"
                ),
            ).order_by("pk")
            matching = []
            for entity in rows.iterator(chunk_size=500):
                if _subscription_matches(subscription, entity):
                    matching.append(entity)
                    if len(matching) == PERIODIC_LIMIT:
                        break
            Subscription.objects.filter(pk=pk).update(last_notification=now)
            if matching:
                _notification_queue(subscription, matching)
                queued += 1
    return queued


def subscriptions_periodic_next(*, now: datetime | None = None) -> datetime | None:
    """When the next periodic notification falls due (None: no periodic subscription)."""
    now = now or timezone.now()
    due = None
    for last, interval in _periodic_due(now).values_list("last_notification", "time_interval"):
        moment = now if last is None else max(now, last + timedelta(seconds=interval))
        due = moment if due is None else min(due, moment)
    return due


def _headers(endpoint: dict[str, Any], context: Any) -> dict[str, str]:
    """The headers of a notification: its type, the context's Link, and receiverInfo."""
    accept = endpoint.get("accept", "application/json")
    headers = {"Content-Type": accept}
    if accept == "application/json":
        link = ld.context_link(context)
        headers["Link"] = f'<{link}>; rel="{ld.JSONLD_CONTEXT_REL}"; type="application/ld+json"'
    for key, value in key_values(endpoint.get("receiverInfo"), "receiverInfo").items():
        if key.lower() not in ("content-type", "link", "content-length"):
            headers[key] = value
    return headers


def _send(endpoint: dict[str, Any], payload: dict[str, Any], context: Any) -> None:
    uri = endpoint.get("uri", "")
    headers = _headers(endpoint, context)
    if uri.startswith(("mqtt://", "mqtts://")):
        mqtt.publish(
            uri,
            mqtt.message(payload, headers),
            notifier_info=key_values(endpoint.get("notifierInfo"), "notifierInfo"),
            timeout=NOTIFY_TIMEOUT,
        )
        return
    _post(uri, payload, headers)


def _post(uri: str, payload: dict[str, Any], headers: dict[str, str]) -> None:
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked at subscription)
        uri, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=NOTIFY_TIMEOUT) as response:  # noqa: S310
        response.read(1024)


def _attempt_fields(subscription: Subscription, moment: datetime) -> dict[str, Any]:
    """`last_notification` is the moment of the last attempt, except where throttling or a
    time interval counts from it: those set it when they queue."""
    if subscription.throttling or subscription.time_interval is not None:
        return {}
    return {"last_notification": moment}


def _delivered(notification: Notification, moment: datetime) -> None:
    """Record a notification sent: in the caller's transaction, or in one of its own."""
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.SENT, sent_at=moment
        )
        Subscription.objects.filter(pk=notification.subscription_id).update(
            times_sent=F("times_sent") + 1,
            last_success=moment,
            notification_status=Subscription.Status.OK,
            **_attempt_fields(notification.subscription, moment),
        )


def _delivery_failed(notification: Notification, error: Exception, moment: datetime) -> None:
    """Count the failure; queue a retry after the back-off, or give up after the last."""
    final = notification.attempts >= MAX_ATTEMPTS or not default_task_backend.supports_defer
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED if final else Notification.State.PENDING,
            claimed_at=None,
            last_error=str(error)[:500],
        )
        Subscription.objects.filter(pk=notification.subscription_id).update(
            times_failed=F("times_failed") + 1,
            last_failure=moment,
            notification_status=Subscription.Status.FAILED,
            **_attempt_fields(notification.subscription, moment),
        )
    if not final:
        retry = tasks.notification_send.using(
            run_after=moment + timedelta(seconds=2**notification.attempts)
        )
        retry.enqueue(notification.pk)


def _send_once(notification: Notification) -> Exception | None:
    """Send a claimed notification; the error if it failed."""
    subscription = notification.subscription
    endpoint = subscription.document.get("notification", {}).get("endpoint", {})
    try:
        _send(endpoint, notification.payload, subscription.context)
    except (OSError, ValueError) as exc:
        return exc
    return None


def _deliver(notification: Notification) -> bool:
    """Send a claimed notification and record the outcome; whether it was sent."""
    moment = timezone.now()
    error = _send_once(notification)
    if error is not None:
        _delivery_failed(notification, error, moment)
        return False
    _delivered(notification, moment)
    return True


def notification_deliver(*, notification_id: int) -> None:
    """Send one queued notification once (a retry, or one a dead worker left); on failure
    count it and try again later."""
    claim_start = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim_start - CLAIM_LEASE))
            .first()
        )
        if notification is None:
            return
        Notification.objects.filter(pk=notification.pk).update(
            attempts=F("attempts") + 1, claimed_at=claim_start
        )
    notification.attempts += 1
    _deliver(notification)


def _new_notifications() -> QuerySet[Notification]:
    """The notifications never tried nor claimed, oldest first. Retries are left to their
    own task, so that a sender does not cut their back-off short. In the order of the
    index on (state, created_at): the first comes without sorting every one pending."""
    return Notification.objects.filter(
        state=Notification.State.PENDING, attempts=0, claimed_at__isnull=True
    ).order_by("created_at")


def notification_claim_next(*, sent: tuple[Notification, datetime] | None = None) -> int | None:
    """Record the notification sent last (`sent`: it and when) and claim the oldest new one,
    in one commit; returns its id. A sender holds one claim at a time, so a worker killed at
    any moment leaves one notification only, the one in flight, claimed and not recorded
    sent (to be sent again, perhaps a second time, once its claim runs out); and one commit
    per notification is one turn at SQLite's write lock, kept short: the id only."""
    now = timezone.now()
    with transaction.atomic():
        if sent is not None:
            _delivered(*sent)
        pk = (
            _new_notifications()
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            Notification.objects.filter(pk=pk).update(attempts=1, claimed_at=now)
    return pk


def notifications_deliver_new(
    *, linger: float = 0, span: float = NOTIFY_SPAN, poll: float = NOTIFY_POLL
) -> int:
    """Send the new notifications one after the other until none is left (and none came
    for `linger` seconds, or `span` seconds have passed since the start); returns how many
    were sent. Each is claimed in the commit that records the one before it sent; what they
    are is read NOTIFY_BATCH at a time, without a lock."""
    started = last_seen = time.monotonic()
    sent_count = 0
    in_flight: tuple[Notification, datetime] | None = None
    ahead: dict[int, Notification] = {}
    while True:
        if not ahead:
            rows = _new_notifications().select_related("subscription")[:NOTIFY_BATCH]
            ahead = {row.pk: row for row in rows}
        if not ahead:
            if in_flight is not None:
                _delivered(*in_flight)
                in_flight = None
            now = time.monotonic()
            if now - last_seen >= linger or now - started >= span:
                return sent_count
            time.sleep(poll)
            continue
        pk = notification_claim_next(sent=in_flight)
        in_flight = None
        if pk is None:
            ahead = {}
            continue
        notification = ahead.pop(pk, None)
        if notification is None:
            # Newer than the rows read ahead, which other senders took meanwhile.
            ahead = {}
            notification = Notification.objects.select_related("subscription").get(pk=pk)
        notification.attempts = 1
        last_seen = time.monotonic()
        moment = timezone.now()
        error = _send_once(notification)
        if error is not None:
            _delivery_failed(notification, error, moment)
        else:
            in_flight = (notification, moment)
            sent_count += 1
        if time.monotonic() - started >= span:
            if in_flight is not None:
                _delivered(*in_flight)
            return sent_count


def notifications_requeue(*, now: datetime | None = None) -> int:
    """Queue again the pending notifications nobody is sending: never claimed for a lease
    (their task was lost), or claimed by a worker that died. Returns how many."""
    now = now or timezone.now()
    stale = now - CLAIM_LEASE
    rows = Notification.objects.filter(state=Notification.State.PENDING).filter(
        Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True, created_at__lt=stale)
    )
    ids = list(rows.values_list("pk", flat=True)[:1000])
    for pk in ids:
        tasks.notification_send.enqueue(pk)
    return len(ids)


# The hub's own records as read-only entities (MIM2).

SDM_ORGANIZATION = "https://smart-data-models.github.io/dataModel.Organization/context.jsonld"
SDM_SDG = "https://smart-data-models.github.io/dataModel.SDG/context.jsonld"


def _property(value: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    return {"type": "Property", "value": value}


def _image(record: Illustrated) -> dict[str, Any] | None:
    """The published image as the API shows it; a JsonProperty, so that its keys are kept as
    they are rather than expanded as terms of a context."""
    described = record.image_described()
    return None if described is None else {"type": "JsonProperty", "json": described}


def _changed_since(queryset: QuerySet[_Row], since: datetime | None) -> QuerySet[_Row]:
    return queryset if since is None else queryset.filter(updated_at__gte=since)


def _hub_ids() -> set[str]:
    """The ids every public record of the hub has as an entity (cheap: slugs only)."""
    kinds = (
        (Community, COMMUNITY_PREFIX),
        (Network, "urn:ngsi-ld:Network:"),
        (Organisation, "urn:ngsi-ld:Organization:"),
        (Practice, "urn:ngsi-ld:Project:"),
    )
    return (
        {
            prefix + slug
            for model, prefix in kinds
            for slug in model.objects.values_list("slug", flat=True)
        }
        | _matching_ids()
        | {EVENT_PREFIX + slug for slug in event_list_base().values_list("slug", flat=True)}
    )


def _matching_ids() -> set[str]:
    """The ids of the published solutions, references, needs and strategies as entities."""
    solutions = Solution.objects.filter(status=Solution.Status.PUBLISHED)
    references = ReferenceInstallation.objects.filter(solution__in=solutions)
    return (
        {SOLUTION_PREFIX + slug for slug in solutions.values_list("slug", flat=True)}
        | {REFERENCE_PREFIX + str(pk) for pk in references.values_list("pk", flat=True)}
        | {NEED_PREFIX + str(pk) for pk in needs_published().values_list("pk", flat=True)}
        | {
            STRATEGY_PREFIX + _strategy_key(community, network)
            for community, network in versions_latest().values_list(
                "strategy__community__slug", "strategy__network__slug"
            )
        }
    )


def _strategy_key(community_slug: str | None, network_slug: str | None) -> str:
    return f"community-{community_slug}" if community_slug else f"network-{network_slug}"


def _list(values: list[Any]) -> dict[str, Any] | None:
    return {"type": "ListProperty", "valueList": values} if values else None


def _owner_refs(community: Community | None, network: Network | None) -> dict[str, Any]:
    """A need's or strategy's owner: a community, or a network (e.g. a national taskforce)."""
    if community is not None:
        return {
            "refCommunity": {"type": "Relationship", "object": COMMUNITY_PREFIX + community.slug}
        }
    return {"refNetwork": {"type": "Relationship", "object": f"urn:ngsi-ld:Network:{network.slug}"}}


def _matching_documents(since: datetime | None, hub: str) -> list[tuple[dict[str, Any], Any]]:
    """Published solutions, their reference installations (the contact only when they
    agreed to be named), published needs and each strategy's latest published version,
    in the hub's context (no Smart Data Model describes them)."""
    documents: list[tuple[dict[str, Any], Any]] = []
    solutions = (
        Solution.objects.filter(status=Solution.Status.PUBLISHED)
        .select_related("provider")
        .prefetch_related("themes")
        .order_by("pk")
    )
    for solution in _changed_since(solutions, since):
        document = {
            "id": SOLUTION_PREFIX + solution.slug,
            "type": "Solution",
            "name": _property(solution.name),
            "description": _property(solution.summary),
            "technologyReadiness": _property(solution.trl),
            "priceMin": _property(solution.price_min),
            "priceMax": _property(solution.price_max),
            "priceModel": _property(solution.price_model),
            "availableLanguage": _list(solution.language_list),
            "areaServed": _list(solution.country_list),
            "category": _list(sorted(t.slug for t in solution.themes.all())),
            "refProvider": {
                "type": "Relationship",
                "object": f"urn:ngsi-ld:Organization:{solution.provider.slug}",
            },
        }
        documents.append((document, hub))
    references = ReferenceInstallation.objects.filter(
        solution__status=Solution.Status.PUBLISHED
    ).select_related("solution", "community")
    for reference in _changed_since(references.order_by("pk"), since):
        document = {
            "id": REFERENCE_PREFIX + str(reference.pk),
            "type": "ReferenceInstallation",
            "year": _property(reference.year),
            "description": _property(reference.achieved),
            "contactName": _property(reference.contact_name if reference.contact_consent else ""),
            "refSolution": {
                "type": "Relationship",
                "object": SOLUTION_PREFIX + reference.solution.slug,
            },
            "refCommunity": {
                "type": "Relationship",
                "object": COMMUNITY_PREFIX + reference.community.slug,
            },
        }
        documents.append((document, hub))
    needs = (
        needs_published()
        .select_related("strategy__community", "strategy__network")
        .prefetch_related("themes")
        .order_by("pk")
    )
    for need in _changed_since(needs, since):
        owner = need.strategy.community or need.strategy.network
        document = {
            "id": NEED_PREFIX + str(need.pk),
            "type": "Need",
            "name": _property(need.title),
            "description": _property(need.description),
            "category": _list(sorted(t.slug for t in need.themes.all())),
            "budgetMin": _property(need.budget_min),
            "budgetMax": _property(need.budget_max),
            "wantedBy": _property(need.wanted_by.isoformat() if need.wanted_by else None),
            "addressCountry": _property(str(owner.country) if owner.country else None),
            **_owner_refs(need.strategy.community, need.strategy.network),
        }
        documents.append((document, hub))
    versions = versions_latest().order_by("pk")
    if since is not None:
        versions = versions.filter(published_at__gte=since)
    for version in versions:
        community, network = version.strategy.community, version.strategy.network
        snapshot = version.snapshot
        document = {
            "id": STRATEGY_PREFIX
            + _strategy_key(
                community.slug if community else None, network.slug if network else None
            ),
            "type": "Strategy",
            "name": _property(snapshot["title"]),
            "description": _property(snapshot["vision"]),
            "version": _property(version.number),
            "datePublished": _property(version.published_at.isoformat()),
            "meetingsHeld": _property(snapshot["meetings_held"]),
            "peopleInvolved": _property(snapshot["people_involved"]),
            **_owner_refs(community, network),
        }
        documents.append((document, hub))
    return documents


EVENT_PREFIX = "urn:ngsi-ld:Event:"
EVENT_STATUSES = {
    Event.Status.PUBLISHED: "EventScheduled",
    Event.Status.POSTPONED: "EventPostponed",
    Event.Status.CANCELLED: "EventCancelled",
}


def _event_time(event: Event, moment: datetime | None) -> dict[str, Any] | None:
    """A start or end as much as the hub knows it: date and time, the day (in the event's
    time zone), or nothing (a year only is `startYear`)."""
    if moment is None:
        return None
    if event.date_precision == Event.DatePrecision.MINUTE:
        text = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {"type": "Property", "value": {"@type": "DateTime", "@value": text}}
    if event.date_precision == Event.DatePrecision.DAY:
        day = moment.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date().isoformat()
        return {"type": "Property", "value": {"@type": "Date", "@value": day}}
    return None


def _event_document(event: Event) -> dict[str, Any]:
    """A public event as a schema.org Event (no Smart Data Model has one): when, where, who
    organises it, the community hosting it; never its participants or its meeting link."""
    document = {
        "id": f"{EVENT_PREFIX}{event.slug}",
        "type": "Event",
        "name": _property(event.title),
        "description": _property(event.summary),
        "kind": _property(event.kind),
        "eventStatus": _property(EVENT_STATUSES[event.status]),
        "startDate": _event_time(event, event.starts_at),
        "endDate": _event_time(event, event.ends_at),
        "inLanguage": _property(event.languages or None),
        "venue": _property(event.venue_name),
        "url": _property(absolute_url(event.get_absolute_url())),
    }
    if event.date_precision == Event.DatePrecision.YEAR and event.starts_at is not None:
        document["startYear"] = _property(event.starts_at.year)
    address = {
        key: value
        for key, value in (
            ("streetAddress", event.venue_address),
            ("addressLocality", event.city),
            ("addressCountry", str(event.country)),
        )
        if value
    }
    if address:
        document["address"] = _property(address)
    if event.latitude is not None and event.longitude is not None:
        document["location"] = {
            "type": "GeoProperty",
            "value": {
                "type": "Point",
                "coordinates": [float(event.longitude), float(event.latitude)],
            },
        }
    organizers = [
        f"urn:ngsi-ld:Network:{network.slug}" for network in event.organiser_networks.all()
    ] + [
        f"urn:ngsi-ld:Organization:{organisation.slug}"
        for organisation in event.organiser_organisations.all()
    ]
    if organizers:
        document["organizer"] = {"type": "Relationship", "object": sorted(organizers)}
    if event.host_community_id:
        document["refCommunity"] = {
            "type": "Relationship",
            "object": f"{COMMUNITY_PREFIX}{event.host_community.slug}",
        }
    projects = sorted(f"urn:ngsi-ld:Project:{practice.slug}" for practice in event.practices.all())
    if projects:
        document["about"] = {"type": "Relationship", "object": projects}
    return document


def _hub_documents(since: datetime | None = None) -> list[tuple[dict[str, Any], Any]]:
    """The public records of the hub (changed since `since`, or all) as compact NGSI-LD
    entities, each with its context."""
    hub = ld.hub_context_url()
    documents: list[tuple[dict[str, Any], Any]] = []
    communities = Community.objects.prefetch_related("networks").order_by("pk")
    for community in _changed_since(communities, since):
        document = {
            "id": f"{COMMUNITY_PREFIX}{community.slug}",
            "type": "Community",
            "name": _property(community.name),
            "kind": _property(community.kind),
            "addressCountry": _property(str(community.country)),
            "addressRegion": _property(community.region),
            "population": _property(community.population),
            "populationYear": _property(community.population_year),
            "description": _property(community.description),
            "url": _property(community.website),
            "image": _image(community),
        }
        networks = [f"urn:ngsi-ld:Network:{network.slug}" for network in community.networks.all()]
        if networks:
            document["memberOf"] = {"type": "Relationship", "object": networks}
        if community.latitude is not None and community.longitude is not None:
            document["location"] = {
                "type": "GeoProperty",
                "value": {
                    "type": "Point",
                    "coordinates": [float(community.longitude), float(community.latitude)],
                },
            }
        documents.append((document, hub))
    for network in _changed_since(Network.objects.order_by("pk"), since):
        documents.append(
            (
                {
                    "id": f"urn:ngsi-ld:Network:{network.slug}",
                    "type": "Network",
                    "name": _property(network.name),
                    "kind": _property(network.kind),
                    "description": _property(network.description),
                    "url": _property(network.website),
                },
                hub,
            )
        )
    for organisation in _changed_since(Organisation.objects.order_by("pk"), since):
        documents.append(
            (
                {
                    "id": f"urn:ngsi-ld:Organization:{organisation.slug}",
                    "type": "Organization",
                    "name": _property(organisation.name),
                    "alternateName": _property(organisation.acronym),
                    "description": _property(organisation.description),
                    "url": _property(organisation.website),
                },
                [hub, SDM_ORGANIZATION],
            )
        )
    practices = Practice.objects.select_related("community").prefetch_related("goals")
    for practice in _changed_since(practices.order_by("pk"), since):
        document = {
            "id": f"urn:ngsi-ld:Project:{practice.slug}",
            "type": "Project",
            "name": _property(practice.title),
            "description": _property(practice.summary),
            "startYear": _property(practice.start_year),
            "endYear": _property(practice.end_year),
            "image": _image(practice),
        }
        goals = sorted(goal.number for goal in practice.goals.all())
        if goals:
            document["sdgGoals"] = {"type": "ListProperty", "valueList": goals}
        if practice.community_id:
            document["refCommunity"] = {
                "type": "Relationship",
                "object": f"{COMMUNITY_PREFIX}{practice.community.slug}",
            }
        documents.append((document, [hub, SDM_SDG]))
    documents += _matching_documents(since, hub)
    events = (
        event_list_base()
        .select_related("host_community")
        .prefetch_related("organiser_networks", "organiser_organisations", "practices")
        .order_by("pk")
    )
    for event in _changed_since(events, since):
        documents.append((_event_document(event), hub))
    return [
        ({key: value for key, value in document.items() if value is not None}, context)
        for document, context in documents
    ]


def _attrs_without_times(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        key: [
            {name: value for name, value in item.items() if name not in ("createdAt", "modifiedAt")}
            for item in instances
        ]
        for key, instances in attrs.items()
    }


def _hub_record_put(
    document: dict[str, Any], context: Any, entity: Entity | None, *, created: str, moment: datetime
) -> str | None:
    """Write one hub record's entity (`entity`: what is stored for it, if anything); says
    whether it was created or updated, None when nothing changed."""
    stored = _stored(entity_normalize(document), context)
    if entity is None:
        if Entity.objects.filter(tenant="", entity_id=stored["id"]).exists():
            return None
        for instances in stored["attrs"].values():
            _stamp(instances, created=created)
        entity = Entity.objects.create(
            tenant="",
            entity_id=stored["id"],
            types=stored["types"],
            attrs=stored["attrs"],
            hub_record=True,
            created_at=moment,
            modified_at=moment,
        )
        _index(entity)
        _changed(
            entity=entity,
            triggers={"entityCreated", "attributeCreated"},
            changed=set(entity.attrs),
        )
        return "created"
    before = _attrs_without_times(entity.attrs)
    after = _attrs_without_times(stored["attrs"])
    if before == after and entity.types == stored["types"]:
        return None
    changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    for key, instances in stored["attrs"].items():
        _stamp(instances, created=created, previous=entity.attrs.get(key))
    entity.types = stored["types"]
    entity.attrs = stored["attrs"]
    _save(entity)
    _changed(entity=entity, triggers={"entityUpdated", "attributeUpdated"}, changed=changed)
    return "updated"


@transaction.atomic
def hub_records_write(
    *, documents: Iterable[tuple[dict[str, Any], Any]], gone: Iterable[str] = ()
) -> dict[str, int]:
    """Write some hub records' entities at once (another app's view of a record it just
    changed), and delete those of `gone`; subscribers are told as by the sync."""
    counts = {"created": 0, "updated": 0, "deleted": 0}
    created = now_text()
    moment = timezone.now()
    hub_rows = Entity.objects.select_for_update().filter(tenant="", hub_record=True)
    for document, context in documents:
        entity = hub_rows.filter(entity_id=document["id"]).first()
        outcome = _hub_record_put(document, context, entity, created=created, moment=moment)
        if outcome:
            counts[outcome] += 1
    for entity in hub_rows.filter(entity_id__in=list(gone)):
        _changed(entity=entity, triggers={"entityDeleted"}, changed=set(entity.attrs))
        entity.delete()
        counts["deleted"] += 1
    return counts


@transaction.atomic
def hub_records_sync(*, since: datetime | None = None) -> dict[str, int]:
    """Make the hub's public records NGSI-LD entities (default tenant, read-only): create the
    new, update the changed (telling subscribers), delete the gone. Runs again safely; with
    `since`, reads only the records updated since then (and the ids of all, for deletions)."""
    hub_rows = Entity.objects.filter(tenant="", hub_record=True)
    documents = _hub_documents(since)
    for _ids, source_documents in HUB_SOURCES:
        documents += source_documents(since)
    ids = [document["id"] for document, _context in documents]
    existing = {
        entity.entity_id: entity
        for start in range(0, len(ids), 500)
        for entity in hub_rows.filter(entity_id__in=ids[start : start + 500])
    }
    counts = {"created": 0, "updated": 0, "deleted": 0}
    created = now_text()
    moment = timezone.now()
    seen = _hub_ids()
    for source_ids, _documents in HUB_SOURCES:
        seen |= source_ids()
    for document, context in documents:
        outcome = _hub_record_put(
            document, context, existing.get(document["id"]), created=created, moment=moment
        )
        if outcome:
            counts[outcome] += 1
    gone = sorted(set(hub_rows.values_list("entity_id", flat=True)) - seen)
    for start in range(0, len(gone), 500):
        for entity in hub_rows.filter(entity_id__in=gone[start : start + 500]):
            _changed(entity=entity, triggers={"entityDeleted"}, changed=set(entity.attrs))
            entity.delete()
            counts["deleted"] += 1
    return counts
