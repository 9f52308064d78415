"""What every router of the read API shares, one concern per module:

- `problems`: problem details (RFC 9457), the shape of every error;
- `auth`: personal API tokens;
- `hub`: the API object (`HubAPI`): JSON bodies, errors as problems, OpenAPI extras;
- `schemas`: text patterns, query schemas (`PageQuery`, `TextQuery`, ...), answer bases;
- `filters`: query parameters checked by the pages' filter forms (`filters_read`);
- `conditional`: ETag and Last-Modified, 304 (`conditional_get`);
- `paging`: one page by offset or by cursor (`page_of`);
- `fields`: field selection (`fields_read`, `record_data`);
- `urls`: absolute URLs in answers.

Each app has its own router in `<app>/api.py`; `villagehub/api.py` mounts them at `/api/v1/`.
An endpoint parses its query with a `*Query` schema (documented in the OpenAPI schema),
checks it with the same filter form as the page (`filters_read`), answers 304 when the
client's copy is current (`conditional_get`) and returns one page (`page_of`), by offset or
by cursor (keyset), with the fields the client asked for (`fields_read`, `record_data`).
Routers import from this package; the names below are its public surface.
"""

from villagehub.core.versions import record_version, tables_version

from .auth import TokenAuth
from .conditional import conditional_get, queryset_version
from .fields import fields_read, fields_schema, record_data, related_values_load
from .filters import filters_read, text_filter
from .hub import HubAPI, JsonBodyParser
from .paging import CURSOR_SALT, _after, _order_keys, cursor_at, page_of
from .problems import (
    MAX_BODY_BYTES,
    NAMES_NOTHING,
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    NotModified,
    Problem,
    ProblemField,
    body_too_large,
    invalid_parameters,
    problem_response,
    status_title,
)
from .schemas import (
    COUNTRY_FIELD,
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    FILLED_TEXT_PATTERN,
    MAX_LIMIT,
    MAX_OFFSET,
    PAGE_PARAMETERS,
    SLUG_PATTERN,
    TEXT_PATTERN,
    FieldsQuery,
    ImageOut,
    ImageSizeOut,
    LanguageCode,
    Out,
    PageBase,
    PageQuery,
    PlaceQuery,
    TextQuery,
    fields_query,
)
from .urls import api_url, image_data, page_url, slug_page_url

__all__ = [
    "COUNTRY_FIELD",
    "CURSOR_PATTERN",
    "CURSOR_SALT",
    "DEFAULT_LIMIT",
    "FILLED_TEXT_PATTERN",
    "MAX_BODY_BYTES",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "NAMES_NOTHING",
    "PAGE_PARAMETERS",
    "PROBLEM_CONTENT_TYPE",
    "SLUG_PATTERN",
    "TEXT_PATTERN",
    "ApiProblem",
    "FieldsQuery",
    "HubAPI",
    "ImageOut",
    "ImageSizeOut",
    "JsonBodyParser",
    "LanguageCode",
    "NotModified",
    "Out",
    "PageBase",
    "PageQuery",
    "PlaceQuery",
    "Problem",
    "ProblemField",
    "TextQuery",
    "TokenAuth",
    "_after",
    "_order_keys",
    "api_url",
    "body_too_large",
    "conditional_get",
    "cursor_at",
    "fields_query",
    "fields_read",
    "fields_schema",
    "filters_read",
    "image_data",
    "invalid_parameters",
    "page_of",
    "page_url",
    "problem_response",
    "queryset_version",
    "record_data",
    "record_version",
    "related_values_load",
    "slug_page_url",
    "status_title",
    "tables_version",
    "text_filter",
]
