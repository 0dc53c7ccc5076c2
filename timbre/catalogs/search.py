"""Search SAT product/service keys (c_ClaveProdServ) and unit keys (c_ClaveUnidad).

A query is matched against codes (exact, then prefix) and against the descriptions' words,
accent- and case-insensitively: every query word (stopwords aside) must be the start of a
word of the description, so search-as-you-type works. Ranking:

    exact code  >  code prefix  >  description matches, scored per query word:
        whole word 10, word prefix 6, one point less for a synonym (SYNONYMS)
        + up to 3.5 for an early position (ignoring stopwords)
        + a small static prior per key (generic "class" keys ending in 00, short
          descriptions, the handful of everyday unit keys)

The index is built once per process (``warm()``, or lazily on the first query): for every
normalized word prefix, the keys whose description has a word starting with it, pre-sorted
by their single-word score. A one-word query is then a slice of one list; longer queries
walk the rarest word's list and check the other words against each candidate.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from timbre.catalogs import store
from timbre.catalogs.search_index import Index, Match
from timbre.catalogs.search_words import normalize

__all__ = ["Match", "normalize", "search_product_keys", "search_unit_keys", "warm"]

# Everyday c_ClaveUnidad keys, nudged ahead of the 2,400 trade units sharing their words.
COMMON_UNITS = frozenset(
    {"H87", "E48", "ACT", "KGM", "GRM", "LTR", "MTR", "MTK", "MTQ", "HUR", "DAY", "MON", "ANN", "WEE",
     "MIN", "XBX", "XPK", "SET", "KT", "PR", "TNE", "A9", "XUN"}
)  # fmt: skip


def _product_prior(code: str, words: Sequence[str]) -> float:
    generic = 0.3 if code.endswith("00") else 0.0
    return generic + 0.2 * (1 - min(len(words), 20) / 20)


def _unit_prior(code: str, words: Sequence[str]) -> float:
    common = 0.3 if code in COMMON_UNITS else 0.0
    return common + 0.2 * (1 - min(len(words), 20) / 20)


_indexes: dict[str, Index] = {}
_lock = threading.Lock()


def _build(catalog: str) -> Index:
    if catalog == "c_ClaveProdServ":
        entries = [(row["code"], row["description"]) for row in store.rows(catalog)]
        return Index(entries, _product_prior)
    return Index([(row["code"], row["name"]) for row in store.rows(catalog)], _unit_prior)


def _index(catalog: str) -> Index:
    index = _indexes.get(catalog)
    if index is None:
        with _lock:
            index = _indexes.get(catalog)
            if index is None:
                index = _indexes[catalog] = _build(catalog)
    return index


def warm() -> None:
    """Build both indexes now (app start-up) instead of on the first query."""
    _index("c_ClaveProdServ")
    _index("c_ClaveUnidad")


def search_product_keys(q: str, limit: int = 10) -> list[Match]:
    """Best c_ClaveProdServ keys for ``q`` (a code, a code prefix or words), best first."""
    return _index("c_ClaveProdServ").search(q, limit)


def search_unit_keys(q: str, limit: int = 10) -> list[Match]:
    """Best c_ClaveUnidad keys for ``q`` (a code such as "H87", a prefix or words), best first."""
    return _index("c_ClaveUnidad").search(q, limit)
