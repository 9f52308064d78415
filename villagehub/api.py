"""The read API at /api/v1/: one router per app, mounted here.

Writes take a personal API token (`Authorization: Bearer ...`, made at /accounts/api-tokens/)
and call the same services as the web forms, with the same scoped permissions; reads stay
open.
"""

from villagehub.communities.api import router as communities_router
from villagehub.contributions.api import router as contributions_router
from villagehub.core.api import HubAPI
from villagehub.countries.api import router as countries_router
from villagehub.events.api import router as events_router
from villagehub.news.api import router as news_router
from villagehub.organisations.api import router as organisations_router
from villagehub.practices.api import router as practices_router
from villagehub.solutions.api import router as solutions_router
from villagehub.strategies.api import router as strategies_router
from villagehub.taxonomy.api import router as taxonomy_router

api = HubAPI(
    title="Village Hub API",
    version="1",
    description=(
        "Open data of the hub: communities, networks, organisations, country factsheets, "
        "good practices, events and the vocabularies they use. Every list takes `limit` (1–500) "
        "and is sorted in a stable order; it pages by `offset`, or by `cursor` (keyset paging: "
        "send `cursor=` for the first page and follow the `next` and `previous` links, whose "
        "signed cursors stay cheap at any depth). Communities and practices take `fields` "
        "(`fields=slug,name`) to return only some fields. Errors are RFC 9457 problem details; "
        "responses carry ETag and Last-Modified (which differ by `fields` and page) and answer "
        "conditional requests with 304. Community editors write with a personal API token: "
        "practice proposals (`POST /submissions`) and data sets (`POST /datasets`)."
    ),
    urls_namespace="api-v1",
    docs_url=None,
)
api.add_router("", communities_router)
api.add_router("", organisations_router)
api.add_router("", countries_router)
api.add_router("", practices_router)
api.add_router("", taxonomy_router)
api.add_router("", events_router)
api.add_router("", news_router)
api.add_router("", contributions_router)
api.add_router("", solutions_router)
api.add_router("", strategies_router)
