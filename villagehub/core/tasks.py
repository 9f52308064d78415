from django.apps import apps
from django.db import models, transaction
from django_tasks import task

from .services import image_variants_update


@task()
def image_variants_make(label: str, pk: int, replaced: str = "") -> bool:
    """Make the responsive sizes of one record's image (`app.Model`, primary key) and remove
    those of the image it replaced."""
    model = apps.get_model(label)
    image_variants_update(instance=model(pk=pk), replaced=replaced)
    return True


def image_variants_later(instance: models.Model, *, replaced: str = "") -> None:
    """After the record's transaction commits, make the sizes of its (new) image."""
    label, pk = instance._meta.label, instance.pk
    transaction.on_commit(lambda: image_variants_make.enqueue(label, pk, replaced))
