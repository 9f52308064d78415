from django.urls import path, re_path

from . import views

urlpatterns = [
    path("entities", views.entities, name="ngsi-entities"),
    path("entities/", views.entities),
    re_path(r"^entities/(?P<entity_id>[^/]+)/attrs/?$", views.entity_attrs, name="ngsi-attrs"),
    re_path(
        r"^entities/(?P<entity_id>[^/]+)/attrs/(?P<name>.+)$", views.entity_attr, name="ngsi-attr"
    ),
    re_path(r"^entities/(?P<entity_id>[^/]+)$", views.entity, name="ngsi-entity"),
    path("entityOperations/create", views.batch_create, name="ngsi-batch-create"),
    path("entityOperations/upsert", views.batch_upsert, name="ngsi-batch-upsert"),
    path("entityOperations/update", views.batch_update, name="ngsi-batch-update"),
    path("entityOperations/merge", views.batch_merge, name="ngsi-batch-merge"),
    path("entityOperations/delete", views.batch_delete, name="ngsi-batch-delete"),
    path("entityOperations/query", views.batch_query, name="ngsi-batch-query"),
    path("temporal/entities", views.temporal_entities, name="ngsi-temporal-entities"),
    path("temporal/entities/", views.temporal_entities),
    path(
        "temporal/entityOperations/query",
        views.temporal_batch_query,
        name="ngsi-temporal-batch-query",
    ),
    re_path(
        r"^temporal/entities/(?P<entity_id>[^/]*)/attrs/(?P<name>[^/]+)/(?P<instance_id>[^/]+)$",
        views.temporal_attr_instance,
        name="ngsi-temporal-instance",
    ),
    re_path(
        r"^temporal/entities/(?P<entity_id>[^/]+)/attrs/(?P<name>[^/]+)/?$",
        views.temporal_entity_attr,
        name="ngsi-temporal-attr",
    ),
    # An instance's path without its attribute name is the attribute's path with an empty
    # name: DELETE only (405 otherwise), and the name is refused (400; ETSI 016_02, 017_02).
    re_path(
        r"^temporal/entities/(?P<entity_id>[^/]+)/attrs/(?P<name>)/[^/]+$",
        views.temporal_entity_attr,
    ),
    re_path(
        r"^temporal/entities/(?P<entity_id>[^/]+)/attrs/?$",
        views.temporal_entity_attrs,
        name="ngsi-temporal-attrs",
    ),
    re_path(
        r"^temporal/entities/(?P<entity_id>[^/]+)$",
        views.temporal_entity,
        name="ngsi-temporal-entity",
    ),
    path("subscriptions", views.subscriptions, name="ngsi-subscriptions"),
    path("subscriptions/", views.subscriptions),
    re_path(
        r"^subscriptions/(?P<subscription_id>[^/]+)$", views.subscription, name="ngsi-subscription"
    ),
    path("types", views.types, name="ngsi-types"),
    re_path(r"^types/(?P<name>.+)$", views.type_detail, name="ngsi-type"),
    path("attributes", views.attributes, name="ngsi-attributes"),
    re_path(r"^attributes/(?P<name>.+)$", views.attribute_detail, name="ngsi-attribute"),
    path("jsonldContexts", views.contexts, name="ngsi-contexts"),
    re_path(r"^jsonldContexts/(?P<context_id>.+)$", views.context_detail, name="ngsi-context"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
