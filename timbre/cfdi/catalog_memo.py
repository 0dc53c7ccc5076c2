"""satcfdi's catalog lookups, remembered.

satcfdi reads a parsed document's catalog codes (`CFDI.from_xml`: régimen, impuesto, forma de pago, …) through
`satcfdi.catalogs.select`, one query of its SQLite catalog file and one unpickling per code: about three quarters
of reading a typical invoice back (0.24 of 0.32 ms), which the sandbox PAC does for every document it stamps.
The file is read-only data shipped with satcfdi, so its rows are kept in memory once read: the stored (pickled)
bytes, unpickled on every call, so that each caller still gets its own objects, as before. Installed when
`timbre.cfdi` is imported; lookups by a key that cannot be hashed go to satcfdi's query as they did.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import satcfdi.catalogs as satcfdi_catalogs

_ORIGINAL: Callable[[str, Any], Any] = satcfdi_catalogs.select


@lru_cache(maxsize=16_384)
def _stored(catalog_name: str, key: Any) -> bytes | None:
    """The pickled value satcfdi's catalog file holds for `key` (None when it holds none)."""
    cursor = satcfdi_catalogs.conn.cursor()
    try:
        cursor.execute(f"SELECT value FROM {catalog_name} WHERE key = ?", (pickle.dumps(key, protocol=4),))
        row = cursor.fetchone()
    finally:
        cursor.close()
    return bytes(row[0]) if row else None


def select(catalog_name: str, key: Any) -> Any:
    """`satcfdi.catalogs.select`, from memory after the first read of each key."""
    try:
        stored = _stored(catalog_name, key)
    except TypeError:  # an unhashable key: satcfdi's own query
        return _ORIGINAL(catalog_name, key)
    return pickle.loads(stored) if stored else None  # noqa: S301 - satcfdi's own packaged catalog file


def install() -> None:
    """Route satcfdi's catalog lookups (`catalog_code`, `moneda_decimales`, …) through `select`."""
    satcfdi_catalogs.select = select
