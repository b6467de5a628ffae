"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts or links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from app.coach import charts
from app.coach.report.blocks import Block, Bullets, Facts, Figure, Heading, Paragraph, Section, Table
from app.coach.report.data import ReportData
from app.coach.report.sections import report_sections

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 960px; margin: 24px auto;
       padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
h4 { font-size: 0.95em; margin: 0.9em 0 0.3em; font-weight: normal; color: #333; }
p.meta, p.note, li.note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
tr:nth-child(even) td { background: #fafafa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.reps { font-size: 0.85em; }
figure { margin: 0.6em 0 1.2em; }
svg { max-width: 100%; height: auto; }
.session { page-break-inside: avoid; }
.empty { font-size: 1.1em; padding: 1em; background: #f4f4f4; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
"""

_NUMERIC = re.compile(r"[\d.]+ ?(s|%|°)?( \(.*\))?|–")  # right-aligned cells: 4.7 s, 17 (22 %), 150 (80 L / 70 R)
_PARAGRAPH_CLASS = {"lead": "", "body": "", "empty": "empty", "note": "note", "small": "note", "line": "note"}


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page, in the PDF's order."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(data.full_heading)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(data.full_heading)}</h1>",
        f'<p class="meta">{escape(data.made_text)}</p>',
    ]
    parts += [_section(section) for section in report_sections(data)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(section: Section) -> str:
    inner = [_block(b) for b in section.blocks]
    if section.title is None:
        return "\n".join(inner)
    opening = f'<section id="{escape(section.anchor)}">' if section.anchor else "<section>"
    return "\n".join([f"{opening}<h2>{escape(section.title)}</h2>", *inner, "</section>"])


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        cls = _PARAGRAPH_CLASS[block.kind]
        return f'<p class="{cls}">{escape(block.text)}</p>' if cls else f"<p>{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in block.lines) + "</ul>"
    if isinstance(block, Facts):
        return "<ul>" + "".join(f'<li class="note">{escape(item)}</li>' for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block.head, block.rows, block.kind)
    if isinstance(block, Figure):
        if block.drawing.empty:  # collapsed: one line, not an empty frame
            return f'<p class="note">{escape(block.empty_text)}</p>'
        return f"<figure>{charts.to_svg(block.drawing)}</figure>"
    # a Group: one session of the every-rep list, kept together when printed
    return '<section class="session">\n' + "\n".join(_block(b) for b in block.blocks) + "\n</section>"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    out = [f"<table{attr}><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for cell in row:
            numeric = _NUMERIC.fullmatch(cell) is not None
            cells.append(f'<td class="n">{escape(cell)}</td>' if numeric else f"<td>{escape(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
