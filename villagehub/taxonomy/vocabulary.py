"""The curated taxonomy every installation starts with (`vocabulary.yaml`), as the API's
schema names it."""

from functools import cache
from pathlib import Path

import yaml

VOCABULARY = Path(__file__).resolve().parent / "vocabulary.yaml"


@cache
def theme_slugs() -> list[str]:
    """The slugs of the curated themes, in the file's order."""
    return [theme["slug"] for theme in yaml.safe_load(VOCABULARY.read_text())["themes"]]
