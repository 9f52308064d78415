"""Reads of NGSI-LD entities: one entity, queries, and the discovery of types and attributes."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.db import connection
from django.db.models import BooleanField, DateTimeField, JSONField, Q, QuerySet
from django.utils import timezone
from pydantic_core import from_json

from villagehub.core.types import User

from . import ld
from .errors import BadRequestData, NonexistentTenant, ResourceNotFound
from .geo import GeoQuery, geometry_of
from .models import (
    AttributeInstance,
    Entity,
    EntityLocation,
    EntityType,
    EntityValue,
    Subscription,
    Tenant,
)
from .query import (
    MAX_PATTERN,
    names_match,
    q_lookups,
    q_match,
    scope_match,
    tree_is_disjunction,
    tree_map,
    tree_names,
)
from .representation import (
    ATTRIBUTE_TYPES,
    ENTITY_MEMBERS,
    entity_format,
    entity_pick,
    instance_uri,
    instances_of,
)
from .spatial import located_filter, spatial_engine

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


def tenant_check(tenant: str) -> None:
    if tenant and not Tenant.objects.filter(name=tenant).exists():
        raise NonexistentTenant(f"There is no tenant {tenant!r} (NGSILD-Tenant).")


# Written out, with the columns in the model's order: the ORM building the same filter on
# every request cost twice the query itself and a third of the whole GET, and its converters
# a fifth of a `type` + `q` query (docs/benchmarks.md).
_FIELDS = Entity._meta.concrete_fields
_COLUMNS = ", ".join(f"e.{connection.ops.quote_name(field.column)}" for field in _FIELDS)
ENTITY_BY_ID = (
    f"SELECT {_COLUMNS} FROM {Entity._meta.db_table} AS e "  # noqa: S608 - the model's names
    "WHERE e.tenant = %s AND e.entity_id = %s"
)


def _decoder(field: Any) -> Callable[[Any], Any] | None:
    """What a column's value needs to become the field's: JSON is text on both databases,
    SQLite gives date-times naive (in UTC) and booleans as integers."""
    if isinstance(field, JSONField):
        # pydantic's Rust decoder (installed with django-ninja): twice json.loads's speed.
        return lambda value: from_json(value) if isinstance(value, str) else value
    if isinstance(field, DateTimeField):
        return _moment
    if isinstance(field, BooleanField):
        return lambda value: value if value is None else bool(value)
    return None


def _moment(value: datetime | str | None) -> datetime | None:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


_DECODERS = [(index, decode) for index, field in enumerate(_FIELDS) if (decode := _decoder(field))]


def _entity_of(row: Sequence[Any]) -> Entity:
    values = list(row)
    for index, decode in _DECODERS:
        values[index] = decode(values[index])
    return cast(Entity, Entity.from_db(connection.alias, None, values))  # type: ignore[no-untyped-call]


def entity_row_get(*, tenant: str, entity_id: str, lock: bool = False) -> Sequence[Any] | None:
    """The entity's row as the database gives it (JSON as text), locked with `lock` where
    the database locks rows; two reads of an unchanged entity give equal rows."""
    locking = lock and connection.features.has_select_for_update
    sql = ENTITY_BY_ID + (" FOR UPDATE" if locking else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant, entity_id])
        row: Sequence[Any] | None = cursor.fetchone()
    return row


def entity_from_row(row: Sequence[Any]) -> Entity:
    """The entity of a row of `entity_row_get`."""
    return _entity_of(row)


def entity_get(*, tenant: str, entity_id: str) -> Entity:
    tenant_check(tenant)
    with connection.cursor() as cursor:
        cursor.execute(ENTITY_BY_ID, [tenant, entity_id])
        row = cursor.fetchone()
    if row is None:
        raise ResourceNotFound(f"There is no entity {entity_id}.")
    return _entity_of(row)


@dataclass
class Render:
    """How entities are shown: context, format, system attributes, language, projection."""

    context: Any = None
    fmt: str = "normalized"
    sys_attrs: bool = False
    lang: str | None = None
    attrs: list[str] | None = None  # stored names
    pick: list[str] | None = None
    omit: list[str] | None = None
    # The datasetIds whose instances are shown (None: the default instance); None: all.
    datasets: list[str | None] | None = None


# Shown only with options=sysAttrs (6.3.11): the system attributes, and expiresAt, the
# system temporal attribute an attribute instance may be given.
SYSTEM_SHOWN = ("createdAt", "modifiedAt", "expiresAt")


def _strip_system(instance: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in instance.items() if key not in SYSTEM_SHOWN}


def entity_render(entity: Entity, render: Render) -> dict[str, Any]:
    return entities_render([entity], render)[0]


def entities_render(entities: list[Entity], render: Render) -> list[dict[str, Any]]:
    """Entities as the reader asked for them, compacted together."""
    documents = [_stored_document(entity, render) for entity in entities]
    return [
        entity_pick(
            entity_format(compacted, fmt=render.fmt, lang=render.lang),
            pick=render.pick,
            omit=render.omit,
        )
        for compacted in ld.from_storage_many(documents, render.context)
    ]


NGSI_NULL = "urn:ngsi-ld:null"
# The member holding an instance's value, and the one a notification with showChanges puts
# the value it replaced in (CIM 009 5.2.x, "previous…" in the core context).
PREVIOUS_MEMBERS = {
    "value": "previousValue",
    "object": "previousObject",
    "languageMap": "previousLanguageMap",
    "valueList": "previousValueList",
    "objectList": "previousObjectList",
    "json": "previousJson",
    "vocab": "previousVocab",
}
DELETION_TRIGGERS = {"attributeDeleted", "entityDeleted"}


def entity_render_change(
    entity: Entity, render: Render, *, triggers: set[str], changed: set[str], show_changes: bool
) -> dict[str, Any]:
    """An entity as a notification of a change shows it: an attribute instance the change
    removed stays, its value `urn:ngsi-ld:null` (a deleted entity keeps only its id, type,
    `deletedAt` and such attributes); with `show_changes`, each instance the change replaced
    or removed carries its former value as `previousValue` (`previousObject`, …). Only the
    normalized format has room for the former values."""
    deleted_entity = "entityDeleted" in triggers
    deleting = bool(triggers & DELETION_TRIGGERS)
    show_changes = show_changes and render.fmt == "normalized"
    if not (deleting or show_changes):
        return entity_render(entity, render)
    before = getattr(entity, "attrs_before", {})
    touched: dict[str, list[dict[str, Any]]] = {}
    for key in set(before) if deleted_entity else changed & set(before):
        current = {
            item.get("datasetId"): item
            for item in ([] if deleted_entity else entity.attrs.get(key, []))
        }
        # An instance the change left as it was (another datasetId) has nothing to show.
        replaced = [item for item in before[key] if current.get(item.get("datasetId")) != item]
        if replaced:
            touched[key] = replaced
    if not touched and not deleted_entity:
        return entity_render(entity, render)
    shown = Entity(
        entity_id=entity.entity_id,
        types=entity.types,
        scope=entity.scope,
        attrs={} if deleted_entity else entity.attrs,
        created_at=entity.created_at,
        modified_at=entity.modified_at,
    )
    old = Entity(
        entity_id=entity.entity_id,
        types=entity.types,
        attrs=touched,
        created_at=entity.created_at,
        modified_at=entity.modified_at,
    )
    # Apart: compacted together, the two documents of one id would be merged.
    normalized = replace(render, fmt="normalized")
    now, then = entity_render(shown, normalized), entity_render(old, normalized)
    moment = _time(timezone.now())
    if deleted_entity:
        kept = {"id", "type", "@context", "scope"} | (
            {"createdAt", "modifiedAt"} if render.sys_attrs else set()
        )
        now = {key: value for key, value in now.items() if key in kept}
        now["deletedAt"] = moment
    for name, value in then.items():
        if name in ENTITY_MEMBERS:
            continue
        instances = [item for item in instances_of(now.get(name)) if isinstance(item, dict)]
        by_dataset = {item.get("datasetId"): item for item in instances}
        for previous in instances_of(value):
            member = ATTRIBUTE_TYPES.get(previous.get("type", "Property"), "value")
            found = by_dataset.get(previous.get("datasetId"))
            if found is None and not deleting:
                continue
            if found is None:
                # As the ETSI suite reads them: a deleted attribute's language map is
                # {"@none": null} (046_34_04), a deleted entity's plain null (046_37).
                null: Any = NGSI_NULL
                if member == "languageMap" and not deleted_entity:
                    null = {"@none": NGSI_NULL}
                current = {"type": previous.get("type", "Property"), member: null}
                if "datasetId" in previous:
                    current["datasetId"] = previous["datasetId"]
                if render.sys_attrs:
                    for key in ("createdAt", "modifiedAt"):
                        if key in previous:
                            current[key] = previous[key]
                    current["deletedAt"] = moment
                instances.append(current)
            else:
                current = found
            if show_changes and member in previous:
                current[PREVIOUS_MEMBERS[member]] = previous[member]
        if instances:
            now[name] = instances[0] if len(instances) == 1 else instances
    return now if render.fmt == "normalized" else entity_format(now, fmt=render.fmt, lang=None)


def _stored_document(entity: Entity, render: Render) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": entity.entity_id,
        "type": entity.types[0] if len(entity.types) == 1 else entity.types,
    }
    if entity.scope:
        document["scope"] = entity.scope
    for key, instances in entity.attrs.items():
        if render.attrs is not None and key not in render.attrs:
            continue
        if render.datasets is not None:
            # 4.5.5: an attribute without an instance of the datasetIds asked is not shown;
            # the entity still is (ETSI 019_12_07).
            instances = [item for item in instances if item.get("datasetId") in render.datasets]
            if not instances:
                continue
        shown = instances if render.sys_attrs else [_strip_system(item) for item in instances]
        document[key] = shown[0] if len(shown) == 1 else shown
    if render.sys_attrs:
        document["createdAt"] = _time(entity.created_at)
        document["modifiedAt"] = _time(entity.modified_at)
    return document


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _instant(moment: datetime) -> str:
    """A period's bound as the instances write theirs: in whole seconds unless it has a
    fraction (the ETSI suite's 020_11 compares the texts)."""
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


@dataclass
class EntityQuery:
    """A query of entities, every name already in stored form."""

    types: Any = None  # tree of the type selection language
    ids: list[str] | None = None
    id_pattern: str | None = None
    attrs: list[str] | None = None
    q: Any = None
    scope_q: Any = None
    geo: GeoQuery | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    local_names: dict[str, str] = field(default_factory=dict)


def query_resolve(
    *,
    context: Any,
    types: Any,
    q: Any,
    attrs: list[str] | None,
) -> tuple[Any, Any, list[str] | None]:
    """Type tree, q tree and attrs with the request's names turned into stored names."""
    names = []
    if types is not None:
        names += tree_names(types)
    if q is not None:
        names += tree_names(q)
    if attrs:
        names += attrs
    names = list(dict.fromkeys(names))
    mapping = dict(zip(names, ld.storage_names(names, context), strict=True))
    return (
        tree_map(types, mapping) if types is not None else None,
        tree_map(q, mapping) if q is not None else None,
        [mapping[name] for name in attrs] if attrs else None,
    )


def _narrowing(
    tenant: str, query: EntityQuery, lookups: list[dict[str, Any]]
) -> list[QuerySet[Any]]:
    """The subqueries of entity ids that SQL can narrow a query to (each a superset of the
    matches)."""
    narrowing = []
    type_names = None
    if query.types is not None and tree_is_disjunction(query.types):
        type_names = tree_names(query.types)
    for lookup in lookups:
        # The value rows carry their entity's types: one index range answers both.
        values = EntityValue.objects.filter(tenant=tenant, **lookup)
        if type_names is not None:
            values = values.filter(type_name__in=type_names)
        narrowing.append(values.values("entity_id"))
    if type_names is not None and not lookups and query.geo is None:
        # Only where nothing narrower applies: a type's rows are many, and a geo-query's
        # few candidates have their types checked afterwards.
        narrowing.append(
            EntityType.objects.filter(tenant=tenant, name__in=type_names).values("entity_id")
        )
    if query.geo is not None:
        located = EntityLocation.objects.filter(tenant=tenant, attribute=query.geo.geoproperty)
        narrowing.append(located_filter(located, query.geo).values("entity_id"))
    return narrowing


def _candidates(
    tenant: str, query: EntityQuery, narrowing: list[QuerySet[Any]]
) -> QuerySet[Entity]:
    """The entities of the narrowing subqueries (all of the tenant without one), in order."""
    # Each narrowing row names its tenant already; filtering the entities by tenant as well
    # would lead SQLite to read every entity of the tenant instead of the few named.
    rows = Entity.objects.all() if narrowing else Entity.objects.filter(tenant=tenant)
    for subquery in narrowing:
        rows = rows.filter(pk__in=subquery)
    if query.ids:
        rows = rows.filter(entity_id__in=query.ids)
    return rows.order_by("pk")


def _geo_match(entity: Entity, geo: GeoQuery) -> bool:
    for instance in instances_of(entity.attrs.get(geo.geoproperty)):
        geometry = geometry_of(instance.get("value"))
        if geometry is not None and geo.matches(geometry):
            return True
    return False


def _matches(
    entity: Entity, query: EntityQuery, pattern: re.Pattern[str] | None, *, geo_in_sql: bool
) -> bool:
    if query.types is not None and not names_match(query.types, set(entity.types)):
        return False
    if pattern is not None and not pattern.fullmatch(entity.entity_id):
        return False
    if query.attrs and not any(name in entity.attrs for name in query.attrs):
        return False
    if query.scope_q is not None and not scope_match(query.scope_q, entity.scope or []):
        return False
    if query.q is not None and not q_match(query.q, {"attrs": entity.attrs}):
        return False
    return query.geo is None or geo_in_sql or _geo_match(entity, query.geo)


def entity_query(*, tenant: str, query: EntityQuery) -> tuple[list[Entity], int]:
    """A page of the entities that match, and how many match in all."""
    tenant_check(tenant)
    pattern = None
    if query.id_pattern and len(query.id_pattern) > MAX_PATTERN:
        raise BadRequestData(f"idPattern: longer than {MAX_PATTERN} characters.")
    if query.id_pattern:
        try:
            pattern = re.compile(query.id_pattern)
        except re.error as exc:
            raise BadRequestData(
                f"idPattern: {query.id_pattern!r} is not a regular expression."
            ) from exc
    lookups, q_decided = q_lookups(query.q)
    decided_in_sql = (
        q_decided
        and (query.types is None or tree_is_disjunction(query.types))
        and pattern is None
        and not query.attrs
        and query.scope_q is None
        and query.geo is None
    )
    if decided_in_sql and not query.ids:
        statement = _matched_statement(tenant, query, lookups)
        if statement is not None:
            return _page_and_count(*statement, offset=query.offset, limit=query.limit)
    narrowing = _narrowing(tenant, query, lookups)
    rows = _candidates(tenant, query, narrowing)
    if decided_in_sql:
        page = list(rows[query.offset : query.offset + query.limit])
        return page, rows.count()
    if query.types is not None and (query.geo is not None or not tree_is_disjunction(query.types)):
        candidates = _of_types(rows, query.types)
    else:
        candidates = rows.iterator(chunk_size=500)
    # With PostGIS the narrowing has decided the geo-query already.
    geo_in_sql = query.geo is not None and spatial_engine() == "postgis"
    matched = [
        entity for entity in candidates if _matches(entity, query, pattern, geo_in_sql=geo_in_sql)
    ]
    return matched[query.offset : query.offset + query.limit], len(matched)


_COMPARISONS = {"": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _matched_statement(
    tenant: str, query: EntityQuery, lookups: list[dict[str, Any]]
) -> tuple[str, list[Any]] | None:
    """The ids of a query that one index decides (one `q` comparison, and `type` names or
    not; or `type` names alone), as a written-out statement and its parameters; None for any
    other query (`_narrowing` builds those)."""
    type_names = tree_names(query.types) if query.types is not None else None
    params: list[Any] = [tenant]
    if len(lookups) == 1:
        table, name_column = EntityValue._meta.db_table, "type_name"
        conditions = ["tenant = %s"]
        for key, value in lookups[0].items():
            column, _sep, comparison = key.partition("__")
            # The keys are those of `query.term_lookup`; anything else is the ORM's to build.
            if column not in ("attribute", "number", "text") or comparison not in _COMPARISONS:
                return None
            conditions.append(f"{column} {_COMPARISONS[comparison]} %s")
            params.append(value)
    elif not lookups and type_names is not None:
        table, name_column, conditions = EntityType._meta.db_table, "name", ["tenant = %s"]
    else:
        return None
    if type_names is not None:
        conditions.append(f"{name_column} IN ({', '.join(['%s'] * len(type_names))})")
        params += type_names
    # Only the models' names and fixed operators go into the text; the values are parameters.
    sql = f"SELECT DISTINCT entity_id FROM {table} WHERE {' AND '.join(conditions)}"  # noqa: S608
    return sql, params


def _page_and_count(
    matched: str, params: list[Any], *, offset: int, limit: int
) -> tuple[list[Entity], int]:
    """A page of the entities whose ids an index query gives, and how many it gives in all,
    in one statement: the ids are counted in the index alone, and only the page's entities
    are read. One row with no entity when the page is empty, so that the count still comes."""
    sql = (
        f"WITH matched AS ({matched}) "  # noqa: S608 - see `_matched_statement`
        f"SELECT total.n, {_COLUMNS} "
        "FROM (SELECT COUNT(*) AS n FROM matched) AS total "
        "LEFT JOIN (SELECT entity_id FROM matched ORDER BY entity_id LIMIT %s OFFSET %s) AS page "
        "ON 1 = 1 "
        f"LEFT JOIN {Entity._meta.db_table} AS e ON e.id = page.entity_id "
        "ORDER BY e.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    return [_entity_of(row[1:]) for row in rows if row[1] is not None], rows[0][0]


def _of_types(rows: QuerySet[Entity], types: Any) -> Iterator[Entity]:
    """The candidates of the asked types, read whole only once their types match (the types
    are a small column; the attributes are not)."""
    ids = [
        pk
        for pk, names in rows.values_list("pk", "types").iterator(chunk_size=2000)
        if names_match(types, set(names))
    ]
    for start in range(0, len(ids), 500):
        yield from Entity.objects.filter(pk__in=ids[start : start + 500]).order_by("pk")


def types_list(*, tenant: str) -> list[str]:
    tenant_check(tenant)
    return sorted(set(EntityType.objects.filter(tenant=tenant).values_list("name", flat=True)))


def type_details(*, tenant: str, name: str) -> dict[str, Any]:
    """Attributes (stored names -> their types) and the count of entities of one type."""
    tenant_check(tenant)
    rows = Entity.objects.filter(
        tenant=tenant,
        pk__in=EntityType.objects.filter(tenant=tenant, name=name).values("entity_id"),
    )
    count = 0
    attributes: dict[str, set[str]] = {}
    for entity in rows.iterator(chunk_size=500):
        count += 1
        for key, instances in entity.attrs.items():
            attributes.setdefault(key, set()).update(
                item.get("type", "Property") for item in instances
            )
    if not count:
        raise ResourceNotFound(f"There is no entity of type {name}.")
    return {"count": count, "attributes": attributes}


def attributes_index(*, tenant: str, name: str | None = None) -> dict[str, dict[str, Any]]:
    """Every attribute (stored name): its count of entities, its types and its entity types."""
    tenant_check(tenant)
    found: dict[str, dict[str, Any]] = {}
    rows = Entity.objects.filter(tenant=tenant)
    if name is not None:
        rows = rows.filter(Q(attrs__has_key=name))
    for entity in rows.iterator(chunk_size=500):
        for key, instances in entity.attrs.items():
            if name is not None and key != name:
                continue
            entry = found.setdefault(key, {"count": 0, "types": set(), "entity_types": set()})
            entry["count"] += 1
            entry["types"].update(item.get("type", "Property") for item in instances)
            entry["entity_types"].update(entity.types)
    return found


def subscriptions_of(*, user: User, tenant: str) -> QuerySet[Subscription]:
    """The subscriptions of the token's owner in a tenant (no one sees another's)."""
    tenant_check(tenant)
    return Subscription.objects.filter(tenant=tenant, owner=user).order_by("pk")


# The members of the Subscription data type (CIM 009 5.2.12): a member the client sent
# besides these is kept in the stored document but never shown (the ETSI suite's 5811_02).
SUBSCRIPTION_MEMBERS = frozenset(
    {
        "id",
        "type",
        "subscriptionName",
        "description",
        "entities",
        "watchedAttributes",
        "notificationTrigger",
        "timeInterval",
        "q",
        "geoQ",
        "csf",
        "isActive",
        "notification",
        "expiresAt",
        "throttling",
        "temporalQ",
        "scopeQ",
        "lang",
        "jsonldContext",
        "datasetId",
        "expandValues",
        "jsonKeys",
        "join",
        "joinLevel",
    }
)


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    """A subscription as its owner wrote it, with its status and the counts of notifications."""
    now = timezone.now()
    if subscription.expires_at and subscription.expires_at <= now:
        status = "expired"
    elif not subscription.is_active:
        status = "paused"
    else:
        status = "active"
    document = {
        key: value for key, value in subscription.document.items() if key in SUBSCRIPTION_MEMBERS
    }
    notification = dict(document.get("notification") or {})
    notification.update(
        {"timesSent": subscription.times_sent, "timesFailed": subscription.times_failed}
    )
    if subscription.last_notification or subscription.times_sent or subscription.times_failed:
        # 5.2.15: the status of the last attempt to notify, so none before the first.
        notification["status"] = subscription.notification_status
    for key, moment in (
        ("lastNotification", subscription.last_notification),
        ("lastSuccess", subscription.last_success),
        ("lastFailure", subscription.last_failure),
    ):
        if moment is not None:
            notification[key] = _time(moment)
    if "isActive" in document:
        # Shown as its owner set it, as the ETSI suite expects (030_03, 031_01): a
        # subscription made without it is active, and says so in `status`.
        document["isActive"] = subscription.is_active
    document.update(
        {
            "type": "Subscription",
            "status": status,
            "notificationTrigger": subscription.triggers,
            "notification": notification,
        }
    )
    return document


# Temporal API.


@dataclass
class TemporalQuery:
    timerel: str | None = None
    time_at: datetime | None = None
    end_time_at: datetime | None = None
    timeproperty: str = "observedAt"
    last_n: int | None = None
    attrs: list[str] | None = None  # stored names
    # The datasetIds asked for (None: the default instance); None: all of them.
    datasets: list[str | None] | None = None


def _time_field(query: TemporalQuery) -> str:
    return "modified_at" if query.timeproperty in ("modifiedAt", "createdAt") else "observed_at"


def _instances_asked(
    rows: QuerySet[AttributeInstance], query: TemporalQuery
) -> QuerySet[AttributeInstance]:
    """The instances of the attributes and the time a temporal query asks for."""
    if query.attrs is not None:
        rows = rows.filter(attribute__in=query.attrs)
    if query.datasets is not None:
        named = [dataset for dataset in query.datasets if dataset is not None]
        wanted = Q(instance__datasetId__in=named) if named else Q(pk__in=[])
        if None in query.datasets:
            wanted |= ~Q(instance__has_key="datasetId")
        rows = rows.filter(wanted)
    # A deletion is an instance of its own, with `deletedAt` its only time: a query about
    # deletions has those alone, and any other none of them (4.5.x, ETSI 020_17, 020_18).
    deletions = Q(instance__has_key="deletedAt")
    rows = rows.filter(deletions) if query.timeproperty == "deletedAt" else rows.exclude(deletions)
    field = _time_field(query)
    if query.timerel == "before":
        rows = rows.filter(**{f"{field}__lt": query.time_at})
    elif query.timerel == "after":
        rows = rows.filter(**{f"{field}__gt": query.time_at})
    elif query.timerel == "between":
        rows = rows.filter(**{f"{field}__gte": query.time_at, f"{field}__lt": query.end_time_at})
    return rows


def temporal_instances(
    *, tenant: str, entity_ids: list[str], query: TemporalQuery
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Entity id -> attribute (stored name) -> its instances in time order."""
    tenant_check(tenant)
    rows = _instances_asked(
        AttributeInstance.objects.filter(tenant=tenant, entity_id__in=entity_ids), query
    )
    field = _time_field(query)
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id, attribute, instance, pk in rows.order_by(field, "pk").values_list(
        "entity_id", "attribute", "instance", "pk"
    ):
        instance["instanceId"] = instance_uri(pk)
        found.setdefault(entity_id, {}).setdefault(attribute, []).append(instance)
    if query.last_n:
        for attributes in found.values():
            for key, instances in attributes.items():
                attributes[key] = instances[-query.last_n :]
    return found


def temporal_entity_ids(*, tenant: str, entity_id: str) -> list[str]:
    tenant_check(tenant)
    if not AttributeInstance.objects.filter(tenant=tenant, entity_id=entity_id).exists() and not (
        Entity.objects.filter(tenant=tenant, entity_id=entity_id).exists()
    ):
        raise ResourceNotFound(f"There is no entity {entity_id} (now or in the past).")
    return [entity_id]


def temporal_types(*, tenant: str, entity_ids: list[str]) -> dict[str, list[str]]:
    """The types of each entity: as it is now, or as its last recorded change had them."""
    found: dict[str, list[str]] = dict(
        Entity.objects.filter(tenant=tenant, entity_id__in=entity_ids).values_list(
            "entity_id", "types"
        )
    )
    for entity_id in entity_ids:
        if entity_id not in found:
            last = (
                AttributeInstance.objects.filter(tenant=tenant, entity_id=entity_id)
                .order_by("-pk")
                .values_list("types", flat=True)
                .first()
            )
            if last is not None:
                found[entity_id] = last
    return found


def _time_shown(instance: dict[str, Any], sys_attrs: bool, timeproperty: str) -> bool:
    """Whether an instance's time is told without its modifiedAt: a system attribute, shown
    with sysAttrs or when the query is about it, or for an instance without observedAt
    (ETSI 021_13: an instance with observedAt is shown with it alone); a deletion is told
    by its deletedAt alone (020_17)."""
    return not sys_attrs and (
        timeproperty == "deletedAt" or (timeproperty == "observedAt" and "observedAt" in instance)
    )


def temporal_render(
    *,
    entity_id: str,
    types: list[str],
    attributes: dict[str, list[dict[str, Any]]],
    context: Any,
    temporal_values: bool,
    aggregation: tuple[list[str], timedelta | None, datetime | None] | None = None,
    sys_attrs: bool = False,
    timeproperty: str = "observedAt",
) -> dict[str, Any]:
    document: dict[str, Any] = {"id": entity_id, "type": types[0] if len(types) == 1 else types}
    hidden = {"createdAt"} if sys_attrs else {"createdAt", "expiresAt"}
    for key, instances in attributes.items():
        document[key] = [
            {
                name: value
                for name, value in item.items()
                if name not in hidden
                and not (name == "modifiedAt" and _time_shown(item, sys_attrs, timeproperty))
            }
            for item in instances
        ]
    compacted = ld.from_storage(document, context)
    for name, value in list(compacted.items()):
        if name in ("id", "type"):
            continue
        instances = instances_of(value)
        if aggregation is None and not temporal_values:
            compacted[name] = instances
            continue
        shown = []
        for dataset, group in _per_dataset(instances):
            kind = group[0].get("type", "Property") if group else "Property"
            summary: dict[str, Any] = (
                {"type": kind} if dataset is None else {"type": kind, "datasetId": dataset}
            )
            if aggregation is not None:
                methods, period, start = aggregation
                summary.update(
                    temporal_aggregate(instances=group, methods=methods, period=period, start=start)
                )
            else:
                summary.update(_simplified(kind, group))
            shown.append(summary)
        compacted[name] = shown[0] if len(shown) == 1 else shown
    return compacted


# The simplified temporal representation (4.5.9) of each attribute type: the member listing
# the values and how one value is shown; those whose value is an object or a term are
# wrapped in an object named after it, as the ETSI suite compares them.
SIMPLIFIED_MEMBERS = {
    "Property": "values",
    "GeoProperty": "values",
    "Relationship": "objects",
    "LanguageProperty": "languageMaps",
    "ListProperty": "valueLists",
    "JsonProperty": "jsons",
    "VocabProperty": "vocabs",
    "ListRelationship": "objectLists",
}
SIMPLIFIED_WRAPPED = {"languageMap", "json", "vocab"}


def _simplified(kind: str, instances: list[dict[str, Any]]) -> dict[str, Any]:
    """`{<values member>: [[value, time], ...]}` of one dataset's instances; the time is the
    deletion's for a deleted instance, otherwise its observedAt or modifiedAt."""
    member = ATTRIBUTE_TYPES.get(kind, "value")
    wrapped = member in SIMPLIFIED_WRAPPED
    return {
        SIMPLIFIED_MEMBERS.get(kind, "values"): [
            [
                {member: item.get(member)} if wrapped else item.get(member),
                item.get("deletedAt", item.get("observedAt", item.get("modifiedAt"))),
            ]
            for item in instances
        ]
    }


def _per_dataset(instances: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """An attribute's instances, one group per datasetId (the default instance first), each
    in time order: what the simplified and aggregated representations show apart (4.5.9)."""
    groups: dict[str | None, list[dict[str, Any]]] = {None: []}
    for instance in instances:
        groups.setdefault(instance.get("datasetId"), []).append(instance)
    found = [(dataset, group) for dataset, group in groups.items() if group]
    return found or [(None, [])]


def temporal_query_ids(
    *,
    tenant: str,
    types: Any,
    ids: list[str] | None,
    id_pattern: str | None,
    query: TemporalQuery,
) -> list[str]:
    """Ids of the entities that match the type, id and idPattern asked and have an instance
    of the attributes in the time asked (ETSI 021_13: the others are not in the answer)."""
    tenant_check(tenant)
    pattern = None
    if id_pattern:
        try:
            pattern = re.compile(id_pattern)
        except re.error as exc:
            raise BadRequestData(f"idPattern: {id_pattern!r} is not a regular expression.") from exc
    rows = _instances_asked(AttributeInstance.objects.filter(tenant=tenant), query)
    if ids:
        rows = rows.filter(entity_id__in=ids)
    found: dict[str, list[str]] = {}
    for entity_id, entity_types in rows.order_by("pk").values_list("entity_id", "types"):
        found[entity_id] = entity_types
    return [
        entity_id
        for entity_id, entity_types in found.items()
        if (types is None or names_match(types, set(entity_types)))
        and (pattern is None or pattern.fullmatch(entity_id))
    ]


AGGREGATIONS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")


def _aggregate(method: str, values: list[Any]) -> Any:
    if method == "totalCount":
        return len(values)
    if method == "distinctCount":
        return len({json.dumps(value, sort_keys=True) for value in values})
    numbers = [
        value for value in values if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    if not numbers:
        return None
    if method == "sum":
        return sum(numbers)
    if method == "avg":
        return sum(numbers) / len(numbers)
    if method == "min":
        return min(numbers)
    if method == "max":
        return max(numbers)
    if method == "sumsq":
        return sum(number * number for number in numbers)
    return statistics.pstdev(numbers)


def temporal_aggregate(
    *,
    instances: list[dict[str, Any]],
    methods: list[str],
    period: timedelta | None,
    start: datetime | None,
) -> dict[str, list[Any]]:
    """Each method over each period: `{"sum": [[value, startAt, endAt], ...], ...}`."""
    timed = []
    for instance in instances:
        text = instance.get("observedAt") or instance.get("modifiedAt")
        if not isinstance(text, str):
            continue
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        value = (
            instance.get("object")
            if instance.get("type") == "Relationship"
            else instance.get("value")
        )
        timed.append((moment, value))
    if not timed:
        return {method: [] for method in methods}
    timed.sort(key=lambda item: item[0])
    first = start or timed[0][0]
    last = timed[-1][0]
    buckets: dict[int, list[Any]] = {}
    for moment, value in timed:
        index = int((moment - first) / period) if period else 0
        buckets.setdefault(index, []).append(value)
    result: dict[str, list[Any]] = {method: [] for method in methods}
    for index in sorted(buckets):
        begin = first + period * index if period else first
        end = begin + period if period else last
        for method in methods:
            result[method].append(
                [_aggregate(method, buckets[index]), _instant(begin), _instant(end)]
            )
    return result
