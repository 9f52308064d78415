"""Turning text into search terms, the same way for documents and queries on every database.

Accents are folded (“Jožef” → “jozef”), text is lower-cased and cut into words, and each
word gets the base form of the language it is written in: its Snowball stem where Snowball
has a good one, its lemma from simplemma's dictionaries where it has not (Bulgarian, Croatian,
Czech, Irish, Latvian, Polish, Slovak, Slovenian), and for Maltese, which has neither, the
consonants of a light stem (its root, which its broken plurals keep).
Queries do not say their language, so each query word is matched in all its base forms.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamDictionaryFactory

# Languages with a Snowball stemmer, stemmed on the folded word.
STEMMERS = {
    "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "et": "estonian", "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian",
    "lt": "lithuanian", "nl": "dutch", "pt": "portuguese", "ro": "romanian", "sv": "swedish",
}  # fmt: skip
# Languages that Snowball lacks, lemmatised by simplemma (its code for each) on the word as
# written: its dictionaries hold the forms with their accents (`pašvaldībām` → `pašvaldība`).
# Croatian is in its Serbo-Croatian (`hbs`) dictionary. Irish has a Snowball stemmer, but it
# does not reach the plurals (`dochtúirí`, `mionbhusanna`) that simplemma's dictionary has.
LEMMATIZED = {
    "bg": "bg", "cs": "cs", "ga": "ga", "hr": "hbs", "lv": "lv", "pl": "pl", "sk": "sk", "sl": "sl"
}  # fmt: skip
QUERY_LANGUAGES = (*STEMMERS, *LEMMATIZED, "mt")
MAX_QUERY_TERMS = 16
MAX_TERM_LENGTH = 60
_WORD = re.compile(r"\w+", re.UNICODE)


_FOLDED_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d"})


@lru_cache(maxsize=1)
def _combining() -> dict[int, None]:
    """Every combining mark, removed after decomposition: "é" → "e" + "\u0301" → "e".

    A translation table rather than a regular expression, which is slower.
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


def _written_words(text: str) -> list[str]:
    """The words as written (composed, lower-cased, accents kept), for the lemmatiser; fold
    each to get the word of `words`."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


@lru_cache(maxsize=32)
def _stemmer(language: str):
    algorithm = STEMMERS.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


@lru_cache(maxsize=1)
def _lemmatizer() -> Lemmatizer:
    # The stream factory reads each language's dictionary as simplemma ships it (3 MB for
    # Polish) instead of unpacking it into a dict (400 MB for Polish): all seven take about
    # 80 MB. Lookups are slower but cached here per word.
    factory = StreamDictionaryFactory(cache_max_size=len(LEMMATIZED))
    return Lemmatizer(
        cache_max_size=1024, lemmatization_strategy=DefaultStrategy(dictionary_factory=factory)
    )


# Maltese has neither a Snowball stemmer nor a dictionary: its sound plurals are stripped,
# then its base form is the stem's consonants without w and j, the root that its broken
# plurals keep (`ħanut`, `ħwienet`: `ħnt`); see docs/ARCHITECTURE.md, Search.
_MALTESE_PLURALS = ("ijiet", "jiet", "iet", "ien", "in", "at", "i")
_MALTESE_VOWELS = "aeiou"
_MALTESE_NOT_ROOT = str.maketrans(dict.fromkeys("aeiouwjy"))
_MALTESE_SHORTEST_ROOT = 3


def _maltese_stem(word: str) -> str:
    for suffix in _MALTESE_PLURALS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word[-1:] in _MALTESE_VOWELS and len(word) > 3:
        word = word[:-1]
    root = word.translate(_MALTESE_NOT_ROOT)
    return root if len(root) >= _MALTESE_SHORTEST_ROOT else word


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The base form of a word in a language, folded. `word` is as written (accents kept):
    the lemmatiser needs the accents, the stemmers work on the folded word."""
    if language in LEMMATIZED:
        lemma = fold(_lemmatizer().lemmatize(word, lang=LEMMATIZED[language]))
        # A few lemmas are several words or hyphenated; the engines get single words only
        # (see sqlite and postgres), so those words keep their own form.
        return lemma if _WORD.fullmatch(lemma) else fold(word)
    folded = fold(word)
    if language == "mt":
        return _maltese_stem(folded)
    stemmer = _stemmer(language)
    return stemmer.stemWord(folded) if stemmer else folded


# The indexed form of each word already seen, per language: a rebuild analyses millions of
# words but only some thousands of distinct ones, and one dictionary lookup per word is
# cheaper than the stemmer's cache (see docs/benchmarks.md).
_WORD_TERMS: dict[str, dict[str, str]] = {}
_WORD_TERMS_MAX = 200_000


def terms(text: str, language: str) -> str:
    """The indexed form of a text: each word, and its base form when that differs."""
    known = _WORD_TERMS.setdefault(language, {})
    out = []
    for written in _written_words(text):
        found = known.get(written)
        if found is None:
            word = fold(written)
            if "_" in word:
                found = ""
            else:
                stemmed = stem(written, language)
                found = word if stemmed == word or not stemmed else f"{word} {stemmed}"
            if len(known) < _WORD_TERMS_MAX:
                known[written] = found
        if found:
            out.append(found)
    return " ".join(out)


@lru_cache(maxsize=20_000)
def _forms(written: str) -> frozenset[str]:
    """A word's forms in the index, whatever its language: folded, and its base forms."""
    forms = {stem(written, language) for language in QUERY_LANGUAGES}
    forms.add(fold(written))
    return frozenset(f for f in forms if f)


def query_groups(query: str) -> list[list[str]]:
    """For each word of a query, the forms it may take in the index (any language)."""
    groups = []
    for written in _written_words(query):
        if "_" in written:
            continue
        if len(groups) == MAX_QUERY_TERMS:
            break
        written = written[:MAX_TERM_LENGTH]
        # The word as typed first: the suggestions complete it as a prefix (a base form in
        # another language can be longer, `rau` → `rase`).
        word = fold(written)
        groups.append([word, *sorted(_forms(written) - {word})])
    return groups


def is_query_word(word: str, groups: list[list[str]]) -> bool:
    """Whether a word of a text is one of the query's words, in any of its forms."""
    forms = _forms(unicodedata.normalize("NFC", word).lower())
    return any(forms & set(group) for group in groups)
