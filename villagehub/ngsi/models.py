import uuid

from django.conf import settings
from django.db import models


def _context_id() -> str:
    return uuid.uuid4().hex


class Tenant(models.Model):
    """An NGSI-LD tenant (`NGSILD-Tenant`), made by its first write; the default tenant is ""."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name or "(default)"


class Entity(models.Model):
    """One NGSI-LD entity, its attributes kept core-compacted (see `ld.py`).

    `attrs` maps each attribute name (stored form) to the list of its instances, one per
    `datasetId`; each instance keeps `createdAt`/`modifiedAt`. An entity belongs to the
    community named at its creation: only its editors and its networks' coordinators write it.
    """

    tenant = models.CharField(max_length=100, default="", blank=True)
    entity_id = models.CharField(max_length=512)
    types = models.JSONField(default=list)
    attrs = models.JSONField(default=dict)
    scope = models.JSONField(default=list, blank=True)
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ngsi_entities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hub_record = models.BooleanField(
        default=False, help_text="one of the hub's own records, read-only through NGSI-LD"
    )
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    # The attributes as read from the database, for notifications that show what a change
    # replaced or removed (`showChanges`, deletions); writes replace an attribute's list of
    # instances rather than change it in place, so a shallow copy keeps the old ones.
    attrs_before: dict

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "entity_id"], name="ngsi_entity_unique_id")
        ]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.entity_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = instance.__dict__.get("attrs")
        instance.attrs_before = dict(loaded) if isinstance(loaded, dict) else {}
        return instance


class EntityType(models.Model):
    """One type of an entity (stored form), so that `type=` filters in SQL."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="type_rows")
    tenant = models.CharField(max_length=100, default="", blank=True)
    name = models.CharField(max_length=512)

    class Meta:
        indexes = [models.Index(fields=["tenant", "name"], name="ngsi_type_tenant_name")]

    def __str__(self) -> str:
        return self.name


class EntityValue(models.Model):
    """A number or a short text that `q` compares, once per type of its entity: what a
    `type` + `q` query finds, counts and pages in SQL through one index (`query.term_lookup`
    says which comparisons it answers exactly)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="value_rows")
    tenant = models.CharField(max_length=100, default="", blank=True)
    type_name = models.CharField(max_length=512)
    attribute = models.CharField(max_length=512)
    number = models.FloatField(null=True, blank=True)
    # NULL, not "": an empty text is a value that `q` can ask for.
    text = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(
                fields=["tenant", "attribute", "type_name", "number"], name="ngsi_value_number"
            ),
            models.Index(
                fields=["tenant", "attribute", "type_name", "text"], name="ngsi_value_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute} {self.number if self.text is None else self.text}"


class EntityLocation(models.Model):
    """The bounding box and geometry of one GeoProperty instance: the candidates of a geo-query
    in SQL (through SQLite's R*Tree or PostgreSQL's GiST index on the box), the exact test in
    shapely afterwards; or, where PostGIS is installed, the whole geo-query in SQL on the
    geometry (see `spatial.py`)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="locations")
    tenant = models.CharField(max_length=100, default="", blank=True)
    attribute = models.CharField(max_length=512)
    min_x = models.FloatField()
    min_y = models.FloatField()
    max_x = models.FloatField()
    max_y = models.FloatField()
    # The geometry as shapely reads it (WKB): PostGIS keeps it as a geometry column of its
    # own (migration 0005), so that both read the same geometry.
    wkb = models.BinaryField(null=True, editable=False)

    # Found through the spatial index of the database (migrations 0003 and 0005), not a
    # B-tree: a B-tree on a box's corners answers only one side of an overlap test.

    def __str__(self) -> str:
        return f"{self.attribute} [{self.min_x}, {self.min_y}, {self.max_x}, {self.max_y}]"


class JsonLdContext(models.Model):
    """A JSON-LD context the hub serves: added through `/jsonldContexts` (hosted), fetched
    from elsewhere once and kept (cached), or made by the hub for a subscription whose
    @context is not one URL, so that its notifications can name it in a Link header
    (implicitly created, CIM 009 5.13)."""

    class Kind(models.TextChoices):
        HOSTED = "Hosted"
        CACHED = "Cached"
        IMPLICITLY_CREATED = "ImplicitlyCreated"

    id = models.CharField(max_length=40, primary_key=True, default=_context_id)
    url = models.CharField(max_length=1000, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.JSONField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    last_usage = models.DateTimeField(null=True, blank=True)
    hits = models.PositiveIntegerField(
        default=0, help_text="requests that used or fetched the context (numberOfHits)"
    )

    def __str__(self) -> str:
        return self.url


class Subscription(models.Model):
    """An NGSI-LD subscription: what it watches (names in stored form, for matching), what it
    was given (as its owner wrote it, with the context), and how its notifications went."""

    class Status(models.TextChoices):
        OK = "ok"
        FAILED = "failed"

    tenant = models.CharField(max_length=100, default="", blank=True)
    subscription_id = models.CharField(max_length=512)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ngsi_subscriptions"
    )
    document = models.JSONField()
    context = models.JSONField(null=True, blank=True)
    entity_selectors = models.JSONField(default=list)
    watched = models.JSONField(default=list)
    triggers = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    throttling = models.FloatField(default=0)
    time_interval = models.FloatField(
        null=True, blank=True, help_text="seconds between periodic notifications (timeInterval)"
    )
    times_sent = models.PositiveIntegerField(default=0)
    times_failed = models.PositiveIntegerField(default=0)
    last_notification = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_failure = models.DateTimeField(null=True, blank=True)
    notification_status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "subscription_id"], name="ngsi_subscription_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.subscription_id


class Notification(models.Model):
    """One notification to send: the durable queue. A task claims the row for a while
    (`claimed_at`) and sends it; a row sent or claimed is not sent again, and a claim whose
    worker died runs out, so that the sweeper queues the row again."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications"
    )
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="ngsi_notification_state")]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.pk} {self.state}"


class AttributeInstance(models.Model):
    """One value an attribute had (temporal API): written with every change of the attribute,
    kept after the attribute or the entity is gone. Its `instanceId` is
    `urn:ngsi-ld:AttributeInstance:<pk>` (`representation.instance_uri`)."""

    tenant = models.CharField(max_length=100, default="", blank=True)
    entity_id = models.CharField(max_length=512)
    types = models.JSONField(default=list)
    attribute = models.CharField(max_length=512)
    instance = models.JSONField()
    observed_at = models.DateTimeField(help_text="observedAt, or the time of the change")
    modified_at = models.DateTimeField()

    class Meta:
        ordering = ["observed_at", "pk"]
        indexes = [
            models.Index(
                fields=["tenant", "entity_id", "attribute", "observed_at"],
                name="ngsi_instance_entity_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.attribute} {self.observed_at}"
