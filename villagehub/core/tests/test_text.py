"""The text rules every writer shares: formulas in cells, XML's forbidden characters, names."""

import re
from unicodedata import category

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from villagehub.core.text import (
    cell_neutralise,
    cell_restore,
    name_key,
    xml_clean,
    xml_text_validate,
)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(evil)", "'=HYPERLINK(evil)"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        (";=1+1", "';=1+1"),
        (" \u200b=1+1", "' \u200b=1+1"),
        ("\x00@x", "'\x00@x"),
        ("＝1+1", "'＝1+1"),  # fullwidth equals sign
        ("'=1+1", "''=1+1"),  # an apostrophe of its own is kept through the round trip
        ("Torup", "Torup"),
        ("'quoted'", "'quoted'"),
        ("a=b", "a=b"),
        ("-3", "-3"),
        ("+45.2", "+45.2"),
        ("-8.61", "-8.61"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_cell_neutralise_prefixes_formulas_only(value, cell):
    assert cell_neutralise(value) == cell
    assert cell_restore(cell) == value


@given(st.text())
def test_cell_restore_undoes_exactly_what_cell_neutralise_did(text):
    assert cell_restore(cell_neutralise(text)) == text


def _first_shown(text: str) -> str:
    """What a spreadsheet reads first: after separators, white space and invisible characters."""
    invisible = ("Cc", "Cf")
    for character in text:
        if not (character == ";" or character.isspace() or category(character) in invisible):
            return character
    return ""


@given(st.text(alphabet=st.sampled_from("=+-@＝;\t\r \u200b'0123456789.eaZ")) | st.text())
def test_no_neutralised_cell_starts_a_formula_unless_it_is_a_number(text):
    cell = cell_neutralise(text)
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell)
    assert _first_shown(cell) not in set("=+-@＝＋－＠") or number


def test_xml_clean_keeps_tab_and_line_breaks_and_drops_what_xml_forbids():
    assert xml_clean("a\x00b\x1bc\x11d\ud800e\ufffef\uffffg\th\ni\rj") == "abcdefg\th\ni\rj"


@pytest.mark.parametrize("bad", ["\x1b", "\x11", "\x00", "\ud83d", "\ufffe", "\uffff"])
def test_xml_text_validate_refuses_forbidden_characters_in_text_and_json(bad):
    for value in (f"Tor{bad}up", {"sv": {"name": f"Tor{bad}up"}}, [f"x{bad}"]):
        with pytest.raises(ValidationError) as error:
            xml_text_validate(value)
        assert error.value.code == "control_character"
        assert f"U+{ord(bad):04X}" in error.value.messages[0]
    xml_text_validate("Tab\tand\nline\r\nbreaks")


LOOKALIKES = ["Torup", "Тorup", "Tor\u200bup", "TORUP", "Tor\u202eup", "Ｔｏｒｕｐ", "Tor\u00adup"]


@pytest.mark.parametrize("lookalike", [*LOOKALIKES, " Torup "])
def test_name_key_sees_lookalikes_as_the_same_name(lookalike):
    assert name_key(lookalike) == "torup"


def test_name_key_keeps_different_names_apart():
    assert len({name_key(n) for n in ("Torup", "Torüp", "Törup", "Troup", "Torp")}) == 5
