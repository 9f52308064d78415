"""Turning text into search terms, the same way for documents and queries on every database.

Accents are folded (“Jožef” → “jozef”), text is lower-cased and cut into words, and each
word is stemmed with the Snowball stemmer of the language it is written in. Queries do not
say their language, so each query word is matched in all its stemmed forms.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Snowball has no Latvian or Slovenian stemmer: those texts are folded, not stemmed, and
# found by whole words and prefixes.
STEMMERS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "lt": "lithuanian",
    "nl": "dutch",
    "pt": "portuguese",
    "ro": "romanian",
    "sv": "swedish",
    "el": "greek",
    "ga": "irish",
}
QUERY_LANGUAGES = ("en", "sv", "fi", "fr", "pt", "da", "de", "es", "it", "nl")
MAX_QUERY_TERMS = 16
MAX_TERM_LENGTH = 60
_WORD = re.compile(r"\w+", re.UNICODE)


_FOLDED_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d"})


@lru_cache(maxsize=1)
def _combining() -> dict[int, None]:
    """Every combining mark, removed after decomposition: "é" → "e" + "\u0301" → "e".

    A translation table rather than a regular expression: five times faster (measured).
    """
    return {c: None for c in range(0x110000) if unicodedata.combining(chr(c))}


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    stripped = unicodedata.normalize("NFKD", text).translate(_combining())
    # Letters that do not decompose into a base letter and a mark.
    return stripped.translate(_FOLDED_LETTERS).lower()


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if "_" not in w]


@lru_cache(maxsize=32)
def _stemmer(language: str):
    algorithm = STEMMERS.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


# The indexed form of each word already seen, per language: a rebuild analyses millions of
# words but only some thousands of distinct ones, and one dictionary lookup per word is
# cheaper than the stemmer's cache (measured on a reindex: see docs/benchmarks.md).
_WORD_TERMS: dict[str, dict[str, str]] = {}
_WORD_TERMS_MAX = 200_000


def terms(text: str, language: str) -> str:
    """The indexed form of a text: each word, and its stem when that differs."""
    known = _WORD_TERMS.setdefault(language, {})
    out = []
    for word in words(text):
        found = known.get(word)
        if found is None:
            stemmed = stem(word, language)
            found = word if stemmed == word else f"{word} {stemmed}"
            if len(known) < _WORD_TERMS_MAX:
                known[word] = found
        out.append(found)
    return " ".join(out)


def query_groups(query: str) -> list[list[str]]:
    """For each word of a query, the forms it may take in the index (any language)."""
    groups = []
    for word in words(query)[:MAX_QUERY_TERMS]:
        word = word[:MAX_TERM_LENGTH]
        forms = {word} | {stem(word, language) for language in QUERY_LANGUAGES}
        groups.append(sorted(f for f in forms if f))
    return groups


def matches(word: str, groups: list[list[str]]) -> bool:
    folded = fold(word)
    forms = {folded} | {stem(folded, language) for language in QUERY_LANGUAGES}
    return any(forms & set(group) for group in groups)
