"""The Atom feeds' generator: plain text goes out as text, and never breaks the XML."""

from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from .text import xml_clean


class _CleanXMLGenerator(SimplerXMLGenerator):
    """Leaves out the characters XML 1.0 forbids, which text stored before they were refused
    may still hold (Django's generator refuses the whole document instead)."""

    def characters(self, content):
        super().characters(xml_clean(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_clean(value) for key, value in attrs.items()})


class TextAtomFeed(Atom1Feed):
    """Atom 1.0 whose summaries are plain text (`type="text"`): what people wrote is shown
    as they wrote it, never read as markup by a feed reader."""

    def write(self, outfile, encoding):
        handler = _CleanXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
