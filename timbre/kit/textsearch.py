"""`/search`: rows whose `search_text` contains every word of the query (a portable `LIKE '%word%'` each).

On PostgreSQL a pg_trgm GIN index serves `LIKE` (migration 0011), but it intersects the posting lists of
every trigram of every word: a word most rows hold ("cliente", "sa") makes it read the whole index (80 ms at
a million invoices) although another word ("000042") picks ten rows. So only the word likeliest to be rare
goes through the index, and the others are checked on the rows it finds, written `(search_text || '')` so
that no index is chosen for them. Likeliest rare: the word with most digits (RFCs, UUIDs, folios, amounts),
then the longest. The rows found are the same either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, literal, true
from sqlalchemy.orm import InstrumentedAttribute


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rarest_first(words: list[str]) -> list[str]:
    return sorted(dict.fromkeys(words), key=lambda w: (-sum(c.isdigit() for c in w), -len(w)))


def contains_every_word(column: InstrumentedAttribute[Any], words: list[str]) -> ColumnElement[bool]:
    """`column` contains each of `words` (already folded as the column is)."""
    if not words:
        return true()
    first, *others = _rarest_first(words)
    unindexed = column.concat(literal(""))
    return and_(column.like(f"%{escape_like(first)}%", escape="\\"),
                *(unindexed.like(f"%{escape_like(word)}%", escape="\\") for word in others))
