"""What endpoints take and give: text patterns, query schemas, answer bases."""

from typing import TYPE_CHECKING, Literal, TypeAlias

from ninja import Schema
from pydantic import BaseModel, Field, create_model

from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)

DEFAULT_LIMIT = 50


MAX_LIMIT = 500


MAX_OFFSET = 1_000_000_000


# Query parameters that shape the answer rather than filter the list.
PAGE_PARAMETERS = ("limit", "offset", "cursor", "fields")


# Text the hub stores or searches: no control character but tab, line feed and carriage
# return (XML 1.0 forbids them, and NUL no database takes), and no non-character.
_TEXT_CHAR = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]"


TEXT_PATTERN = rf"^{_TEXT_CHAR}*$"


# The same with at least one character that is not white space, for required text: the web
# forms strip white space, so a title of spaces is no title.
FILLED_TEXT_PATTERN = rf"^{_TEXT_CHAR}*[^\s\x00-\x1F\x7F\uFFFE\uFFFF]{_TEXT_CHAR}*$"


# What Django's signing makes (URL-safe base64, `:` and a leading `.` when compressed).
CURSOR_PATTERN = r"^[A-Za-z0-9_.:-]*$"


# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    LanguageCode: TypeAlias = str
else:
    LanguageCode = Literal[tuple(code for code, _name in CONTENT_LANGUAGES)]


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page, 1–500.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")
    cursor: str | None = Field(
        None,
        max_length=2000,
        pattern=CURSOR_PATTERN,
        description=(
            "Keyset paging instead of `offset` (which it overrides): send it empty (`cursor=`) "
            "for the first page, then follow the `next` and `previous` links, which carry an "
            "opaque, signed cursor. Deep pages cost as little as the first; a changed or "
            "foreign cursor names no page of this list: a 404 problem naming `cursor`."
        ),
    )


class FieldsQuery(Schema):
    fields: str | None = Field(
        None,
        max_length=500,
        description=(
            "Comma-separated names of the fields to return (`fields=slug,name`); the others "
            "are left out. An unknown name is a 400."
        ),
    )


def fields_query(schema: type[BaseModel]) -> type[FieldsQuery]:
    """`fields` as a list of the names of the schema's fields, so that the OpenAPI schema
    says which names there are."""
    names = "|".join(schema.model_fields)
    return create_model(
        f"{schema.__name__}FieldsQuery",
        __base__=FieldsQuery,
        fields=(
            str | None,
            Field(
                None,
                max_length=500,
                # Documented, and checked by `fields_read`, whose answer names the field.
                json_schema_extra={"pattern": rf"^({names})(,({names}))*$"},
                description=FieldsQuery.model_fields["fields"].description,
            ),
        ),
    )


class TextQuery(PageQuery):
    q: str | None = Field(
        None, max_length=200, pattern=TEXT_PATTERN, description="Full-text search, any language."
    )


SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


COUNTRY_FIELD = Field(
    None,
    pattern="^[A-Za-z]{2}$",
    description="ISO 3166-1 alpha-2 code, either case; one that names no country matches nothing.",
)


class PlaceQuery(TextQuery):
    country: str | None = COUNTRY_FIELD
    theme: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        max_length=100,
        description="Theme slug; one that names no theme matches nothing.",
    )


class Out(BaseModel):
    """An answer built from dicts: plain pydantic, checked in its compiled core.

    ninja's `Schema` wraps every object it checks in a Python attribute getter (to read
    model instances), which made checking a page of 50 records a third of its time.
    """


class ImageSizeOut(Out):
    width: int = Field(description="Width in pixels.")
    webp: str = Field(description="Absolute URL of the copy in WebP.")
    jpeg: str = Field(description="Absolute URL of the copy in JPEG.")


class ImageOut(Out):
    url: str = Field(description="Absolute URL of the uploaded image.")
    description: str = Field(
        description="What the image shows (its text alternative), in the record's language."
    )
    width: int | None = Field(description="Width of the upload in pixels; null until measured.")
    height: int | None = Field(description="Height of the upload in pixels; null until measured.")
    sizes: list[ImageSizeOut] = Field(
        description="Smaller copies for screens of each width, narrowest first; empty until "
        "they are made, or when the upload could not be read as a picture."
    )


class PageBase(Out):
    count: int
    limit: int
    offset: int | None = Field(description="The offset of this page; null when paged by cursor.")
    next: str | None
    previous: str | None
