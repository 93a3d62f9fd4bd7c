"""Chinese PDF documents (contracts, certificates, statements) that render the same everywhere.

The text is set in Noto Sans SC (SIL Open Font License, from the ``pylopdf-fonts-zh-cn`` data
wheel) and fpdf2 embeds the subset of glyphs each document uses — a contract is tens of
kilobytes, not the font's eight megabytes — so a reader needs no Chinese font installed and a
printed copy looks like the one on screen. Pages are A4 portrait; a long table carries its
header onto every page; every page's footer names the document and its verification code when it
has one, with "page x of y".

Only layout lives here, and the way documents print amounts and dates; what a document says is
its owner's (``loans.contract``, ``loans.certificate``, ``deposits.certificate`` …).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pylopdf_fonts_zh_cn import sans_path

from core.money import Fen, format_yuan

# fontTools logs every table it prunes while subsetting, at INFO: noise in every log line.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "noto-sans-sc"
# A4 at 18 mm side margins leaves 174 mm of line.
MARGIN_MM = 18
BODY_PT = 10.5
SMALL_PT = 8.5


def yuan_text(fen: Fen) -> str:
    """12345678 → "123,456.78 元": grouped as a contract reads."""
    whole, _dot, cents = format_yuan(fen).partition(".")
    return f"{int(whole):,}.{cents} 元"


def chinese_date(value: date) -> str:
    """2026-01-20 → "2026年1月20日", as certificates print a day."""
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Column:
    """A table column: its heading, width in millimetres and alignment ("L", "C" or "R")."""

    heading: str
    width: float
    align: str = "L"


class ChineseDocument(FPDF):
    """An A4 document in Noto Sans SC with a footer; build it with the methods below, then :meth:`render`."""

    def __init__(self, *, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document_title = title
        self.footer_note = footer_note
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + 4)
        self.add_font(FONT, fname=str(sans_path()))
        self.set_title(title)
        self.set_creator("FundPortal")
        self.set_lang("zh-CN")
        self.alias_nb_pages()
        self._table_header: tuple[Sequence[Column], float] | None = None
        self.add_page()

    # --- page furniture (fpdf2 calls these) -------------------------------------------------------

    def header(self) -> None:
        # A table split over pages repeats its headings at the top of each new page.
        if self._table_header is not None and self.page_no() > 1:
            columns, height = self._table_header
            self._heading_row(columns, height)

    def footer(self) -> None:
        self.set_y(-MARGIN_MM)
        self.set_font(FONT, size=SMALL_PT)
        self.set_text_color(110, 110, 110)
        left = f"{self.document_title}  {self.footer_note}".strip()
        self.cell(self.epw / 2, 5, left, align="L")
        self.cell(self.epw / 2, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0, 0, 0)

    # --- content ----------------------------------------------------------------------------------

    def title_block(self, text: str, *, subtitle: str = "") -> None:
        self.set_font(FONT, size=18)
        self.multi_cell(0, 10, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FONT, size=BODY_PT)
            self.multi_cell(0, 6, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def section(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, size=12.5)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(160, 160, 160)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.ln(2)

    def paragraph(self, text: str, *, size: float = BODY_PT) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, size * 0.62, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def fields(self, rows: Sequence[tuple[str, str]], *, label_width: float = 42) -> None:
        """Label–value pairs, one per line; a long value wraps under itself."""
        self.set_font(FONT, size=BODY_PT)
        for label, value in rows:
            self.cell(label_width, 7, label)
            self.multi_cell(self.epw - label_width, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, size: float = SMALL_PT
    ) -> None:
        """A ruled table; its headings repeat on every page it runs onto."""
        height = size * 0.6
        self.set_font(FONT, size=size)
        if self.get_y() + 4 * height + 1 > self.page_break_trigger:
            # Headings alone at the foot of a page, their rows overleaf: start the table there.
            self.add_page()
        self._heading_row(columns, height)
        self._table_header = (columns, height)
        try:
            for row in rows:
                self.set_font(FONT, size=size)
                for column, value in zip(columns, row, strict=True):
                    self.cell(column.width, height, value, border="B", align=column.align)
                self.ln(height)
        finally:
            self._table_header = None
        self.ln(2)

    def qr_code(
        self, data: str, *, size_mm: float = 28, x: float | None = None, y: float | None = None
    ) -> None:
        """A QR code of ``data`` (a verification address), drawn as an image."""
        image = qrcode.make(data, box_size=8, border=1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        self.image(
            buffer, x=x if x is not None else self.l_margin + self.epw - size_mm, y=y, w=size_mm, h=size_mm
        )

    def verification_block(
        self, *, code: str, signer: str, signed_at: str, verify_url: str, note: str
    ) -> None:
        """A sealed document's "电子签章与核验" section: the seal's lines, the QR code of the
        verification address beside them, and ``note`` (how to check) underneath."""
        self.section("电子签章与核验")
        top = self.get_y()
        self.fields(
            [("核验码", code), ("签章", signer), ("签章时间", signed_at), ("核验地址", verify_url)],
            label_width=30,
        )
        # Beside the seal's lines, so a phone pointed at the page finds them together.
        self.qr_code(verify_url, size_mm=26, y=top)
        self.set_y(max(self.get_y(), top + 28) + 2)
        self.paragraph(note, size=9)

    def render(self) -> bytes:
        return bytes(self.output())

    def _heading_row(self, columns: Sequence[Column], height: float) -> None:
        self.set_fill_color(235, 238, 242)
        for column in columns:
            self.cell(column.width, height + 1, column.heading, border="TB", align=column.align, fill=True)
        self.ln(height + 1)
