"""The printable one-page summary of a published strategy (fpdf2).

Text is drawn with DejaVu Sans when the machine has it (Debian's fonts-dejavu-core), which
covers every EU language; without it, with the PDF core font Helvetica, which holds only
Latin-1, so letters outside it are folded to their base letter (ā → a) rather than lost.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF

from villagehub.search.analysis import fold

from .selectors import Progress

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    return None


def _latin1(text: str) -> str:
    return "".join(
        c if ord(c) < 256 else (fold(c) or "?").encode("latin-1", "replace").decode("latin-1")
        for c in text
    )


class _Summary(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        folder = _font_dir()
        if folder:
            self.add_font("Sans", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("Sans", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.family_name, self.clean = "Sans", str
        else:
            self.family_name, self.clean = "Helvetica", _latin1
        self.set_auto_page_break(auto=False)
        self.set_margins(15, 15, 15)
        self.add_page()

    def text_block(self, text: str, *, size: float = 9, bold: bool = False, height: float = 4.5):
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def short(self, text: str, limit: int) -> str:
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def strategy_pdf(*, owner_name: str, snapshot: dict, progress: Progress, version: int) -> bytes:
    pdf = _Summary()
    pdf.set_title(pdf.clean(snapshot["title"]))
    pdf.text_block(snapshot["title"], size=16, bold=True, height=8)
    pdf.text_block(
        _("%(place)s · version %(version)d") % {"place": owner_name, "version": version}, size=9
    )
    pdf.ln(2)
    if snapshot["vision"]:
        pdf.text_block(_("Vision"), size=11, bold=True, height=6)
        pdf.text_block(pdf.short(snapshot["vision"], 600))
    pdf.text_block(
        _("Participation: %(meetings)s meetings, %(people)s people involved")
        % {"meetings": snapshot["meetings_held"], "people": snapshot["people_involved"]}
    )
    pdf.ln(2)
    pdf.text_block(_("Actions"), size=11, bold=True, height=6)
    pdf.text_block(" · ".join(f"{label}: {count}" for _s, label, count in progress.status_counts))
    for action in snapshot["actions"][:12]:
        pdf.text_block(f"– {pdf.short(action['title'], 110)}", size=8, height=4)
    pdf.ln(2)
    if progress.indicators:
        pdf.text_block(_("Indicators"), size=11, bold=True, height=6)
        for indicator in progress.indicators[:10]:
            latest = "–" if indicator.latest_value is None else f"{indicator.latest_value}"
            pdf.text_block(
                _("%(name)s: %(latest)s of %(target)s %(unit)s by %(year)d (from %(baseline)s)")
                % {
                    "name": pdf.short(indicator.name, 80),
                    "latest": latest,
                    "target": indicator.target,
                    "unit": indicator.unit,
                    "year": indicator.target_year,
                    "baseline": indicator.baseline,
                },
                size=8,
                height=4,
            )
    if snapshot["needs"]:
        pdf.ln(2)
        pdf.text_block(_("Needs looking for a solution"), size=11, bold=True, height=6)
        for need in snapshot["needs"][:6]:
            pdf.text_block(f"– {pdf.short(need['title'], 110)}", size=8, height=4)
    return bytes(pdf.output())
