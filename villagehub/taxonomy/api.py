from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.params.functions import Path
from pydantic import Field

from villagehub.core.api import (
    SLUG_PATTERN,
    PageBase,
    PageQuery,
    Problem,
    conditional_get,
    filters_read,
    page_of,
    tables_version,
)

from .models import GOAL_TITLES, Goal, Theme

router = Router(tags=["vocabularies"])


class ThemeOut(Schema):
    slug: str
    name: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    position: int


class ThemePage(PageBase):
    results: list[ThemeOut]


class GoalOut(Schema):
    number: int
    title: str
    titles: dict[str, str] = Field(description="The title in every interface language.")


class GoalPage(PageBase):
    results: list[GoalOut]


def _theme_data(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "description": theme.description,
        "language": theme.language,
        "translations": theme.translations,
        "position": theme.position,
    }


def _goal_data(goal: Goal) -> dict[str, Any]:
    titles: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[code] = str(GOAL_TITLES[goal.number])
    return {"number": goal.number, "title": titles[settings.LANGUAGE_CODE], "titles": titles}


@router.get(
    "/themes",
    response={200: ThemePage, 304: None, 400: Problem},
    url_name="theme-list",
    summary="List the themes of the curated taxonomy",
)
def theme_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[PageQuery]
) -> dict[str, Any]:
    filters_read(request, query)
    themes = Theme.objects.order_by("position", "name", "pk")
    version, changed = tables_version([Theme])
    conditional_get(request, response, version=version, last_modified=changed)
    return page_of(request, themes, query, _theme_data, count=themes.count())


@router.get(
    "/themes/{slug}",
    response={200: ThemeOut, 304: None, 400: Problem, 404: Problem},
    url_name="theme-detail",
    summary="One theme",
)
def theme_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=80),
) -> dict[str, Any]:
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise Http404
    version, changed = tables_version([Theme])
    conditional_get(request, response, version=version, last_modified=changed)
    return _theme_data(theme)


@router.get(
    "/sdgs",
    response={200: GoalPage, 304: None, 400: Problem},
    url_name="goal-list",
    summary="List the 17 Sustainable Development Goals of the UN Agenda 2030",
)
def goal_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[PageQuery]
) -> dict[str, Any]:
    filters_read(request, query)
    goals = Goal.objects.order_by("number")
    version, changed = tables_version([Goal])
    conditional_get(request, response, version=version, last_modified=changed)
    return page_of(request, goals, query, _goal_data, count=goals.count())


@router.get(
    "/sdgs/{number}",
    response={200: GoalOut, 304: None, 400: Problem, 404: Problem},
    url_name="goal-detail",
    summary="One Sustainable Development Goal",
)
def goal_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    number: int = Path(..., ge=1, le=17),
) -> dict[str, Any]:
    goal = Goal.objects.filter(number=number).first()
    if goal is None:
        raise Http404
    version, changed = tables_version([Goal])
    conditional_get(request, response, version=version, last_modified=changed)
    return _goal_data(goal)
