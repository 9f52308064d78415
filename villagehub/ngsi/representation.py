"""NGSI-LD entity representations: what a request may send (normalized or concise) checked
and made normalized, and the stored form turned into normalized, concise, keyValues or
GeoJSON answers."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from shapely.errors import GEOSException
from shapely.geometry import shape

from .errors import BadRequestData

ATTRIBUTE_TYPES = {
    "Property": "value",
    "Relationship": "object",
    "GeoProperty": "value",
    "LanguageProperty": "languageMap",
    "ListProperty": "valueList",
    "JsonProperty": "json",
    "VocabProperty": "vocab",
    "ListRelationship": "objectList",
}
# Members of an attribute instance that are not sub-attributes.
INSTANCE_MEMBERS = {
    "type",
    "value",
    "object",
    "objectList",
    "objectType",
    "languageMap",
    "valueList",
    "json",
    "vocab",
    "observedAt",
    "expiresAt",
    "unitCode",
    "datasetId",
    "createdAt",
    "modifiedAt",
    "deletedAt",
    "instanceId",
    "lang",
}
SYSTEM_MEMBERS = {"createdAt", "modifiedAt", "deletedAt", "instanceId"}
ENTITY_MEMBERS = {"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"}
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
FORBIDDEN_NAME = re.compile(r"[<>\"'=;()\s]")


# A temporal instance's instanceId is this prefix and its row's primary key: the row is
# written once and changed in place, so the key names it for as long as it exists.
INSTANCE_ID_PREFIX = "urn:ngsi-ld:AttributeInstance:"
INSTANCE_KEY = re.compile(r"[1-9][0-9]{0,18}")


def instance_uri(pk: int) -> str:
    return f"{INSTANCE_ID_PREFIX}{pk}"


def instance_pk_of(instance_id: str) -> int | None:
    """The primary key of the instance an instanceId names; None for a URI that names none
    (one spelling per instance: no sign, no leading zero)."""
    key = instance_id.removeprefix(INSTANCE_ID_PREFIX)
    if key == instance_id or not INSTANCE_KEY.fullmatch(key):
        return None
    return int(key)


def is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(URI.match(value))


def is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value and parsed.tzinfo is not None


def is_geometry(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in GEOMETRY_TYPES


def is_point(value: Any) -> bool:
    """A GeoJSON Point with two or three finite coordinates (checked without shapely: most
    GeoProperties are points, and a batch has thousands)."""
    if not isinstance(value, dict) or value.get("type") != "Point":
        return False
    coordinates = value.get("coordinates")
    return (
        isinstance(coordinates, list)
        and len(coordinates) in (2, 3)
        and all(type(item) in (int, float) and math.isfinite(item) for item in coordinates)
    )


def geometry_check(value: Any, where: str) -> None:
    if not is_geometry(value):
        raise BadRequestData(f"{where}: a GeoProperty's value must be a GeoJSON geometry.")
    if is_point(value):
        return
    try:
        shape(value)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise BadRequestData(f"{where}: the GeoJSON geometry is invalid ({exc}).") from exc


def name_check(name: Any, where: str) -> None:
    if not isinstance(name, str) or not name or FORBIDDEN_NAME.search(name):
        raise BadRequestData(f"{where}: {name!r} is not a valid attribute name.")


def entity_id_check(value: Any) -> str:
    if not is_uri(value):
        raise BadRequestData(f"id: {value!r} is not a URI (e.g. urn:ngsi-ld:Building:1).")
    return value


def types_check(value: Any) -> list[str]:
    types = value if isinstance(value, list) else [value]
    if not types or not all(isinstance(item, str) and item for item in types):
        raise BadRequestData("type: an entity needs a type (a name or a list of names).")
    for item in types:
        if FORBIDDEN_NAME.search(item):
            raise BadRequestData(f"type: {item!r} is not a valid type name.")
    return types


def _concise_type(value: dict) -> str:
    for kind, member in ATTRIBUTE_TYPES.items():
        if kind != "GeoProperty" and member in value:
            if kind == "Property" and is_geometry(value[member]):
                return "GeoProperty"
            return kind
    return ""


def instance_normalize(value: Any, where: str, *, sub: bool = False) -> dict:
    """One attribute instance in normalized form, from normalized or concise input."""
    if value is None:
        raise BadRequestData(f"{where}: an attribute cannot be null.")
    if not isinstance(value, dict):
        return {"type": "Property", "value": value}
    if "type" not in value or value.get("type") in GEOMETRY_TYPES:
        kind = _concise_type(value)
        if not kind:
            if is_geometry(value):
                geometry_check(value, where)
                return {"type": "GeoProperty", "value": value}
            return {"type": "Property", "value": value}
        value = {"type": kind, **value}
    kind = value["type"]
    if kind not in ATTRIBUTE_TYPES:
        raise BadRequestData(
            f"{where}: type {kind!r} is not an attribute type "
            f"({', '.join(sorted(ATTRIBUTE_TYPES))})."
        )
    member = ATTRIBUTE_TYPES[kind]
    if member not in value or value[member] is None:
        raise BadRequestData(f"{where}: a {kind} needs {member!r}.")
    content = value[member]
    if kind == "Relationship":
        objects = content if isinstance(content, list) else [content]
        if not objects or not all(is_uri(item) for item in objects):
            raise BadRequestData(f"{where}: a Relationship's object must be a URI.")
    elif kind == "ListRelationship":
        if not isinstance(content, list):
            raise BadRequestData(f"{where}: objectList must be a list.")
    elif kind == "GeoProperty":
        geometry_check(content, where)
    elif kind == "LanguageProperty":
        if not isinstance(content, dict) or not all(
            isinstance(text, (str, list)) for text in content.values()
        ):
            raise BadRequestData(f"{where}: languageMap must map language tags to strings.")
    elif kind == "ListProperty":
        if not isinstance(content, list):
            raise BadRequestData(f"{where}: valueList must be a list.")
    elif kind == "VocabProperty":
        vocab = content if isinstance(content, list) else [content]
        if not all(isinstance(item, str) and item for item in vocab):
            raise BadRequestData(f"{where}: vocab must be a name or a list of names.")
    if "observedAt" in value and not is_datetime(value["observedAt"]):
        raise BadRequestData(f"{where}: observedAt must be a date and time (ISO 8601, with Z).")
    if "expiresAt" in value and not is_datetime(value["expiresAt"]):
        raise BadRequestData(f"{where}: expiresAt must be a date and time (ISO 8601, with Z).")
    if "unitCode" in value and not isinstance(value["unitCode"], str):
        raise BadRequestData(f"{where}: unitCode must be a string (UN/CEFACT code).")
    if "datasetId" in value:
        if sub:
            raise BadRequestData(f"{where}: a sub-attribute cannot have a datasetId.")
        if not is_uri(value["datasetId"]):
            raise BadRequestData(f"{where}: datasetId must be a URI.")
    result: dict = {}
    for key, item in value.items():
        if key in SYSTEM_MEMBERS:
            continue
        if key in INSTANCE_MEMBERS:
            result[key] = item
        else:
            name_check(key, where)
            result[key] = instance_normalize(item, f"{where}.{key}", sub=True)
    return result


def attribute_normalize(value: Any, name: str) -> list[dict]:
    """An attribute's instances (one, or several with different datasetIds)."""
    name_check(name, name)
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(item, dict) and ("type" in item or _concise_type(item)) for item in value
        )
    ):
        instances = [instance_normalize(item, name) for item in value]
    else:
        instances = [instance_normalize(value, name)]
    seen = set()
    for instance in instances:
        dataset = instance.get("datasetId")
        if dataset in seen:
            raise BadRequestData(
                f"{name}: two instances with the same datasetId ({dataset or 'default'})."
            )
        seen.add(dataset)
    return instances


def entity_normalize(document: Any, *, need_id: bool = True, need_type: bool = True) -> dict:
    """A request's entity in normalized form (without @context), with every problem named."""
    if not isinstance(document, dict):
        raise BadRequestData("The entity must be a JSON object.")
    result: dict = {}
    if need_id or "id" in document:
        result["id"] = entity_id_check(document.get("id", document.get("@id")))
    if need_type or "type" in document:
        result["type"] = types_check(document.get("type", document.get("@type")))
    if "scope" in document:
        scope = document["scope"] if isinstance(document["scope"], list) else [document["scope"]]
        if not all(isinstance(item, str) and item.startswith("/") for item in scope):
            raise BadRequestData("scope: each scope is a path starting with / (e.g. /Madrid).")
        result["scope"] = scope
    for name, value in document.items():
        if name in ENTITY_MEMBERS or name in ("@id", "@type"):
            continue
        result[name] = attribute_normalize(value, name)
    return result


def instances_of(value: Any) -> list[dict]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return [value] if isinstance(value, dict) else []


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def instance_value(instance: dict) -> Any:
    """What an attribute instance holds, whatever its type."""
    member = ATTRIBUTE_TYPES.get(instance.get("type", "Property"), "value")
    return instance.get(member)


def _lang_pick(language_map: Any, lang: str) -> tuple[str | None, Any]:
    if not isinstance(language_map, dict) or not language_map:
        return None, language_map
    wanted = []
    for part in lang.split(","):
        tag, _, weight = part.strip().partition(";q=")
        try:
            wanted.append((float(weight) if weight else 1.0, tag.strip()))
        except ValueError:
            wanted.append((0.0, tag.strip()))
    for _weight, tag in sorted(wanted, key=lambda item: -item[0]):
        if tag == "*":
            break
        if tag in language_map:
            return tag, language_map[tag]
    if "@none" in language_map:
        return "@none", language_map["@none"]
    tag = next(iter(language_map))
    return tag, language_map[tag]


def _instance_lang(instance: dict, lang: str | None) -> dict:
    if lang and instance.get("type") == "LanguageProperty":
        tag, text = _lang_pick(instance.get("languageMap"), lang)
        rest = {key: item for key, item in instance.items() if key not in ("type", "languageMap")}
        return {"type": "Property", "value": text, "lang": tag, **rest}
    return instance


def _key_value(instance: dict, lang: str | None) -> Any:
    kind = instance.get("type", "Property")
    if kind == "LanguageProperty":
        if lang:
            return _lang_pick(instance.get("languageMap"), lang)[1]
        return {"languageMap": instance.get("languageMap")}
    if kind in ("JsonProperty", "VocabProperty", "ListProperty", "ListRelationship"):
        return {ATTRIBUTE_TYPES[kind]: instance.get(ATTRIBUTE_TYPES[kind])}
    return instance_value(instance)


def _concise(instance: dict, lang: str | None) -> Any:
    instance = _instance_lang(instance, lang)
    result = {}
    for key, item in instance.items():
        if key == "type":
            continue
        if key not in INSTANCE_MEMBERS:
            sub = instances_of(item)
            result[key] = _concise(sub[0], lang) if sub else item
        else:
            result[key] = item
    if list(result) == ["value"] and not isinstance(result["value"], (dict, list)):
        return result["value"]
    return result


def entity_format(entity: dict, *, fmt: str, lang: str | None) -> dict:
    """A compacted normalized entity as normalized, concise or keyValues."""
    result: dict = {}
    for key, value in entity.items():
        instances = instances_of(value) if key not in ENTITY_MEMBERS else []
        if not instances:
            result[key] = value
            continue
        if fmt == "keyValues":
            chosen = next((item for item in instances if "datasetId" not in item), instances[0])
            result[key] = _key_value(chosen, lang)
            continue
        if fmt == "concise":
            shown = [_concise(item, lang) for item in instances]
        else:
            shown = [_instance_lang(item, lang) for item in instances]
        result[key] = shown[0] if len(shown) == 1 else shown
    return result


def entity_pick(entity: dict, *, pick: list[str] | None, omit: list[str] | None) -> dict:
    if pick:
        entity = {key: value for key, value in entity.items() if key in pick or key == "@context"}
    if omit:
        entity = {key: value for key, value in entity.items() if key not in omit}
    return entity


def entity_feature(entity: dict, geometry_name: str) -> dict:
    """An entity as a GeoJSON Feature whose geometry is its `geometry_name` GeoProperty."""
    geometry = None
    value = entity.get(geometry_name)
    for instance in instances_of(value):
        geometry = instance.get("value")
        break
    else:
        if is_geometry(value):
            geometry = value
    properties = {key: item for key, item in entity.items() if key not in ("id", "@context")}
    return {
        "id": entity.get("id"),
        "type": "Feature",
        "geometry": geometry,
        "properties": properties,
    }
