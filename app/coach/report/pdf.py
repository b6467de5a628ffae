"""The report as an A4 PDF (fpdf2): the same sections as the HTML page, laid out for paper.

Charts are drawn with fpdf2 lines and rectangles from the same drawings as the SVG
(:func:`app.coach.charts.draw_pdf`). Headings stay with what follows them, a table that fits on one
page is not split, and the summary keeps page 1 to itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.coach import charts
from app.coach.report.blocks import Block, Bullets, Facts, Figure, Heading, Paragraph, Table
from app.coach.report.data import ReportData
from app.coach.report.sections import report_sections

if TYPE_CHECKING:
    from fpdf import FPDF

Colour = tuple[int, int, int]
BLACK: Colour = (0, 0, 0)
GREY: Colour = (90, 90, 90)
DARK_GREY: Colour = (60, 60, 60)
HEAD_FILL: Colour = (238, 243, 248)
ROW_FILL: Colour = (247, 247, 247)
RULE: Colour = (0, 114, 178)

MARGIN_MM = 15.0
BOTTOM_MM = 18.0
COMPACT_SCALE = 0.85  # a Figure's compact drawing takes this share of the width

# Paragraphs: (type size in pt, colour, space after in mm).
_PARAGRAPH = {
    "lead": (11.0, BLACK, 1.5),
    "body": (9.5, BLACK, 1.5),
    "empty": (12.0, BLACK, 1.5),
    "note": (9.0, GREY, 1.5),
    "small": (8.5, GREY, 1.5),
    "line": (8.5, GREY, 0.5),
}
_TITLE_SIZE = {1: 18.0, 2: 14.0, 3: 11.5, 4: 10.0}
_TITLE_ROOM = {1: 20.0, 2: 40.0, 3: 30.0, 4: 22.0}  # a heading never ends a page with less room than this below it
_TITLE_OWN = {1: 20.0, 2: 14.0, 3: 10.0, 4: 8.0}  # about a heading's own height, with its spacing


def render_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF: a one-page summary, then details, sessions, and (``per_rep``) every rep."""
    return _PdfReport(data).render()


class _PdfReport:
    """One PDF being written: the fpdf2 document and the few layout rules every section shares."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.pdf = _new_document(charts.pdf_text(f"{data.full_heading} - {data.range_text}"))
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.pdf.set_auto_page_break(True, margin=BOTTOM_MM)
        self.pdf.set_title(charts.pdf_text(data.full_heading))
        self.pdf.set_creator("HipCoach")
        self.width = self.pdf.epw
        self.bottom = self.pdf.h - BOTTOM_MM
        self.page_room = self.bottom - self.pdf.t_margin  # the height a page holds

    def render(self) -> bytes:
        self.pdf.add_page()
        self.title(self.data.full_heading, 1)
        self.para(self.data.made_text, 9, GREY, gap=3)
        for n, section in enumerate(report_sections(self.data)):
            if section.new_page and n:
                self.pdf.add_page()
            if section.title is not None:
                first = section.blocks[0] if section.blocks else None
                self.title(section.title, 2, self._keep(2, first))
            self.blocks(section.blocks)
        return bytes(self.pdf.output())

    def blocks(self, blocks: Sequence[Block]) -> None:
        for i, block in enumerate(blocks):
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            self.block(block, following)

    def block(self, block: Block, following: Block | None) -> None:
        if isinstance(block, Heading):
            self.title(block.text, block.level, self._keep(block.level, following))
        elif isinstance(block, Paragraph):
            size, colour, gap = _PARAGRAPH[block.kind]
            self.para(block.text, size, colour, gap)
        elif isinstance(block, Bullets):
            for line in block.lines:
                self.bullet(line)
            self.pdf.ln(1.5)
        elif isinstance(block, Facts):
            self.para("; ".join(block.items), 9, DARK_GREY)
        elif isinstance(block, Table):
            if block.kind == "reps":
                self.rep_table(block)
            else:
                self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        else:  # a Group: its blocks in order
            self.blocks(block.blocks)

    # ------------------------------------------------------------------------- layout

    def _keep(self, level: int, following: Block | None) -> float:
        """How much room a heading needs below it to stay on the page with the table or chart after it
        (0 when that would not fit on any page: it breaks where it must)."""
        after = self._height(following)
        if not after:
            return 0.0
        need = _TITLE_OWN[level] + after
        return need if need < self.page_room else 0.0

    def _height(self, block: Block | None) -> float:
        """A table's or chart's height in mm, roughly; 0 for anything else."""
        if isinstance(block, Table):
            return _table_mm(len(block.rows), _table_size(block))
        if isinstance(block, Figure) and not block.drawing.empty:
            drawing, scale = self._figure_drawing(block)
            return drawing.height * self.width * scale / drawing.width
        return 0.0

    def para(self, text: str, size: float = 10, colour: Colour = BLACK, gap: float = 1.5, style: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(self.width, size * 0.45, charts.pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*BLACK)
        pdf.ln(gap)

    def bullet(self, text: str, size: float = 9.5) -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", "", size)
        pdf.set_x(pdf.l_margin + 2)
        pdf.multi_cell(self.width - 2, size * 0.45, charts.pdf_text("- " + text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)

    def title(self, text: str, level: int, keep_mm: float = 0.0) -> None:
        pdf = self.pdf
        if pdf.get_y() + max(keep_mm, _TITLE_ROOM[level]) > self.bottom:
            pdf.add_page()
        if level == 2:
            pdf.ln(3)
        self.para(text, _TITLE_SIZE[level], gap=1.0, style="B" if level < 4 else "")
        if level == 2:  # a section's heading is underlined in the HTML page's blue
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + self.width, pdf.get_y())
            pdf.set_line_width(0.2)
            pdf.set_draw_color(*BLACK)
            pdf.ln(2.5)

    def _figure_drawing(self, figure: Figure) -> tuple[charts.Drawing, float]:
        return (figure.compact, COMPACT_SCALE) if figure.compact is not None else (figure.drawing, 1.0)

    def figure(self, figure: Figure) -> None:
        if figure.drawing.empty:
            self.para(figure.empty_text, 9.5, GREY)
            return
        pdf = self.pdf
        drawing, scale = self._figure_drawing(figure)
        w = self.width * scale
        if pdf.get_y() + drawing.height * w / drawing.width > self.bottom:
            pdf.add_page()
        used = charts.draw_pdf(pdf, drawing, pdf.l_margin, pdf.get_y(), w)
        pdf.set_y(pdf.get_y() + used + 3)

    def table(self, table: Table) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        size = _table_size(table)
        # A table that fits on one page starts on a fresh page rather than split.
        estimate = _table_mm(len(table.rows), size)
        if pdf.get_y() + min(estimate, 14) > self.bottom or (
            pdf.get_y() + estimate > self.bottom and estimate < self.page_room
        ):
            pdf.add_page()
        pdf.set_font("Helvetica", "", size)
        with pdf.table(
            col_widths=table.widths,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            line_height=size * 0.5,
            text_align="LEFT",
            width=self.width,
            padding=0.8,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_color=ROW_FILL,
            cell_fill_mode="ROWS",
        ) as tbl:
            for row in (table.head, *table.rows):
                cells = tbl.row()
                for cell in row:
                    cells.cell(charts.pdf_text(cell))
        pdf.ln(2)

    def rep_table(self, table: Table) -> None:
        """Single-line rows drawn cell by cell: fpdf2's table() takes seconds per thousand reps."""
        pdf = self.pdf
        size = _table_size(table)
        row_h = size * 0.5 + 1.6
        widths = _widths_mm(table, self.width)
        self._rep_heading(table.head, widths, size, row_h)
        for n, row in enumerate(table.rows):
            if pdf.get_y() + row_h > self.bottom:  # the heading again on each new page
                pdf.add_page()
                self._rep_heading(table.head, widths, size, row_h)
            pdf.set_fill_color(*(ROW_FILL if n % 2 else (255, 255, 255)))
            for text, w in zip(row, widths):
                pdf.cell(w, row_h, self._fit(charts.pdf_text(text), w - 2 * pdf.c_margin), fill=True)
            pdf.ln(row_h)
        self._rule(sum(widths))
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)

    def _rep_heading(self, head: Sequence[str], widths: Sequence[float], size: float, row_h: float) -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", "B", size)
        pdf.set_fill_color(*HEAD_FILL)
        for text, w in zip(head, widths):
            pdf.cell(w, row_h, text, fill=True)
        pdf.ln(row_h)
        self._rule(sum(widths))
        pdf.set_font("Helvetica", "", size)

    def _rule(self, length: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.2)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + length, pdf.get_y())

    def _fit(self, text: str, room: float) -> str:
        """``text`` cut to ``room`` mm with '...' (rare: a long fault list)."""
        if self.pdf.get_string_width(text) <= room:
            return text
        while len(text) > 1 and self.pdf.get_string_width(text + "...") > room:
            text = text[:-1]
        return text + "..."


def _new_document(footer_text: str) -> FPDF:
    """An empty A4 document whose pages end with ``footer_text`` and 'page n of m'.

    fpdf2 is imported here, when a PDF is made: it takes seconds to load and most runs never need it.
    """
    from fpdf import FPDF

    class _ReportPdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, footer_text, align="L")
            self.cell(0, 6, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(*BLACK)

    return _ReportPdf(format="A4")


def _table_size(table: Table) -> float:
    return 8.0 if table.small else 8.5


def _table_mm(n_rows: int, size: float) -> float:
    """A table's height, roughly: a two-line heading and one line per row."""
    return (n_rows + 2) * (size * 0.5 + 1.6)


def _widths_mm(table: Table, width: float) -> list[float]:
    """A table's relative column widths in mm across ``width`` (equal columns when it gives none)."""
    weights = table.widths or (1.0,) * len(table.head)
    total = sum(weights)
    return [width * w / total for w in weights]
