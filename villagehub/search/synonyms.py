"""Theme labels as synonyms: which themes a query word names, in any interface language.

A document matches a query word when its own text holds the word, or when it is tagged with
a theme one of whose labels holds it (`skolmat` finds a practice tagged "School canteens",
whatever language it is written in). The labels are not written into each document's
indexed text, where a common theme word would match a large share of all documents (see
docs/benchmarks.md): the tagged documents come from the in-memory copy of the documents'
themes (see `counts`).

A word that the labels of many themes share ("and", "och", "village") tells no theme apart:
it names none of them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from villagehub.taxonomy.models import Theme

from .analysis import terms

# A word in the labels of this many themes names none of them.
SHARED_BY = 3


@lru_cache(maxsize=8)
def _labels(rows: tuple) -> tuple[tuple[int, frozenset[str]], ...]:
    """The words that name each theme, from (id, ((language, label), ...)) rows; cached by
    the rows themselves, so a changed label is seen at the next search."""
    words = {
        pk: frozenset(
            word for language, label in labels if label for word in terms(label, language).split()
        )
        for pk, labels in rows
    }
    shared = Counter(word for found in words.values() for word in found)
    return tuple(
        (pk, frozenset(word for word in found if shared[word] < SHARED_BY))
        for pk, found in words.items()
    )


def themes_named(
    groups: list[list[str]], themes: Iterable[Theme] | None = None
) -> list[tuple[frozenset[int], frozenset[str]]]:
    """For each query word (its forms, from `analysis.query_groups`), the ids of the themes
    with a label, in any language, that holds one of those forms; and the words of all their
    labels, which rank the documents found by those themes alone (see interface). `themes`:
    every theme, when the caller has them (else they are read)."""
    if not groups:
        return []
    if themes is None:
        themes = Theme.objects.only("pk", "language", "name", "translations")
    rows = tuple(
        (t.pk, ((t.language, t.name), *((o, f.get("name")) for o, f in t.translations.items())))
        for t in sorted(themes, key=lambda t: t.pk)
    )
    labels = _labels(rows)
    out = []
    for group in groups:
        named = [(pk, words) for pk, words in labels if not words.isdisjoint(group)]
        out.append(
            (frozenset(pk for pk, _words in named), frozenset().union(*(w for _pk, w in named)))
        )
    return out


@dataclass(frozen=True)
class Plan:
    """How the words of a query are matched: each of `plain` by the text alone; each of
    `named` by the text or by the themes it names."""

    plain: list[list[str]]
    named: list[tuple[list[str], frozenset[int]]]
    # Each word that names themes, with the words of those themes' labels.
    expanded: list[list[str]]

    def text_parts(self) -> list[list[list[str]]]:
        """The text matches to ask the database for: every plain word (when there are any)
        and then, for each word that names themes, the plain words and that one."""
        parts = [self.plain] if self.plain else []
        return parts + [[*self.plain, group] for group, _themes in self.named]


def plan(groups: list[list[str]], themes: Iterable[Theme] | None = None) -> Plan:
    found = Plan(plain=[], named=[], expanded=[])
    for group, (ids, words) in zip(groups, themes_named(groups, themes), strict=True):
        if ids:
            found.named.append((group, ids))
            found.expanded.append(sorted({*group, *words}))
        else:
            found.plain.append(group)
    return found
