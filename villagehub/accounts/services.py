from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from villagehub.core.services import model_save

from .models import Role


@transaction.atomic
def role_grant(*, user: AbstractBaseUser, kind: str, target) -> Role:
    """Give a person a role for a network (coordinator), community or organisation (editor)."""
    field = Role.TARGETS[kind]
    existing = Role.objects.filter(user=user, kind=kind, **{field: target}).first()
    return existing or model_save(Role(user=user, kind=kind), {field: target})


@transaction.atomic
def role_revoke(*, user: AbstractBaseUser, kind: str, target) -> None:
    Role.objects.filter(user=user, kind=kind, **{Role.TARGETS[kind]: target}).delete()
