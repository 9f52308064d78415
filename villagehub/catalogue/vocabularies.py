"""The EU vocabularies a DCAT-AP catalogue uses (Publications Office authority tables)."""

from django.utils.translation import gettext_lazy as _
from django_countries import countries

AUTHORITY = "http://publications.europa.eu/resource/authority"

# https://op.europa.eu/web/eu-vocabularies/concept-scheme/-/resource?uri=.../data-theme
DATA_THEMES = {
    "AGRI": _("Agriculture, fisheries, forestry and food"),
    "ECON": _("Economy and finance"),
    "EDUC": _("Education, culture and sport"),
    "ENER": _("Energy"),
    "ENVI": _("Environment"),
    "GOVE": _("Government and public sector"),
    "HEAL": _("Health"),
    "INTR": _("International issues"),
    "JUST": _("Justice, legal system and public safety"),
    "REGI": _("Regions and cities"),
    "SOCI": _("Population and society"),
    "TECH": _("Science and technology"),
    "TRAN": _("Transport"),
}

LICENCES = {
    "CC_BY_4_0": "Creative Commons Attribution 4.0",
    "CC_BYSA_4_0": "Creative Commons Attribution-ShareAlike 4.0",
    "CC0": "Creative Commons CC0 1.0",
    "ODC_BY": "Open Data Commons Attribution",
    "ODC_ODBL": "Open Data Commons Open Database License",
    "ODC_PDDL": "Open Data Commons Public Domain Dedication and License",
    "OGL_3_0": "Open Government Licence 3.0",
    "EUPL_1_2": "European Union Public Licence 1.2",
}

# File types (authority table "file-type") with their IANA media types.
FILE_TYPES = {
    "CSV": ("CSV", "text/csv"),
    "JSON": ("JSON", "application/json"),
    "GEOJSON": ("GeoJSON", "application/geo+json"),
    "RDF_TURTLE": ("Turtle", "text/turtle"),
    "RDF_XML": ("RDF/XML", "application/rdf+xml"),
    "JSON_LD": ("JSON-LD", "application/ld+json"),
    "XLSX": ("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ODS": ("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
    "PDF": ("PDF", "application/pdf"),
    "XML": ("XML", "application/xml"),
    "HTML": ("HTML", "text/html"),
    "ZIP": ("ZIP", "application/zip"),
    "TXT": ("Text", "text/plain"),
}


def data_theme_uri(code: str) -> str:
    return f"{AUTHORITY}/data-theme/{code}"


def licence_uri(code: str) -> str:
    return f"{AUTHORITY}/licence/{code}"


def file_type_uri(code: str) -> str:
    return f"{AUTHORITY}/file-type/{code}"


def country_uri(alpha2: str) -> str:
    """The country's URI in the authority table, which is keyed by ISO 3166-1 alpha-3."""
    return f"{AUTHORITY}/country/{countries.alpha3(alpha2)}"


def language_uri(code: str) -> str:
    return f"{AUTHORITY}/language/{LANGUAGE_ALPHA3[code]}"


# ISO 639-2/B codes of the content languages, as the language authority table uses them.
LANGUAGE_ALPHA3 = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG",
    "es": "SPA", "et": "EST", "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV",
    "hu": "HUN", "it": "ITA", "lt": "LIT", "lv": "LAV", "mt": "MLT", "nl": "NLD",
    "pl": "POL", "pt": "POR", "ro": "RON", "sk": "SLK", "sl": "SLV", "sv": "SWE",
}  # fmt: skip


def media_type_uri(media_type: str) -> str:
    return f"https://www.iana.org/assignments/media-types/{media_type}"
