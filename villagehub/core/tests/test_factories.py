"""Every app's factories make rows that pass their model's own validation, so that a test
built on them starts from data the hub itself could have stored."""

import importlib
import inspect
from pathlib import Path

import factory
import pytest

import villagehub

pytestmark = pytest.mark.django_db

FACTORY_MODULES = sorted(
    ".".join(path.relative_to(Path(villagehub.__file__).parent.parent).with_suffix("").parts)
    for path in Path(villagehub.__file__).parent.glob("*/tests/factories.py")
)


def _factories():
    for name in FACTORY_MODULES:
        module = importlib.import_module(name)
        for _attr, value in sorted(vars(module).items()):
            if (
                inspect.isclass(value)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value.__module__ == name
            ):
                yield pytest.param(value, id=value.__name__)


def test_every_app_with_models_has_factories():
    apps_with_factories = {name.split(".")[1] for name in FACTORY_MODULES}
    assert {
        "accounts", "catalogue", "comments", "communities", "contact", "contributions", "core",
        "countries", "indicators", "matching", "news", "notices", "organisations", "practices",
        "strategies", "taxonomy",
    } <= apps_with_factories  # fmt: skip


@pytest.mark.parametrize("model_factory", list(_factories()))
def test_factory_makes_a_valid_row(model_factory):
    made = model_factory()
    made.full_clean()
    assert type(made).objects.filter(pk=made.pk).exists()
