"""The pieces a report section is made of, and the section itself.

A section says *what* it shows (a heading, a paragraph of a kind, a table, a chart); the HTML and
PDF renderers (:mod:`.html`, :mod:`.pdf`) each decide how it looks, so a section is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.coach.charts import Drawing

# lead: the first sentence of a section; body: ordinary text; empty: the one line of a report with nothing in
# it; note: a grey explanation; small: a smaller grey aside; line: one of several short grey lines in a row.
ParagraphKind = Literal["lead", "body", "empty", "note", "small", "line"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 3 or 4: a section's own heading is level 2, the report's title level 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ParagraphKind = "body"


@dataclass(frozen=True)
class Bullets:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """A few short facts about one thing (a session): a list in HTML, one line in the PDF."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths on paper (HTML sizes itself)
    small: bool = False  # a long table, in smaller type on paper
    kind: str = ""  # "sessions" or "reps": the HTML class; reps are drawn row by row on paper (thousands of rows)


@dataclass(frozen=True)
class Figure:
    drawing: Drawing
    compact: Drawing | None = None  # a shorter version for the one-page summary on paper, drawn at 85 % width

    @property
    def empty_text(self) -> str:
        """What stands instead of a chart with nothing to plot: one line, not an empty frame."""
        return f"{self.drawing.title}: nothing recorded yet."


@dataclass(frozen=True)
class Group:
    """Blocks that belong together (one session of the every-rep list)."""

    blocks: tuple[Block, ...]


Block = Heading | Paragraph | Bullets | Facts | Table | Figure | Group


@dataclass(frozen=True)
class Section:
    """One part of a report: its heading (none for a lone note), its blocks, and where it starts."""

    title: str | None
    blocks: tuple[Block, ...]
    anchor: str = ""  # the HTML id
    new_page: bool = False  # on paper, starts a fresh page (the summary keeps page 1 to itself)
