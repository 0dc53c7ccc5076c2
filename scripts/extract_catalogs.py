"""Regenerate the large SAT catalogs under timbre/catalogs/data/ from satcfdi's catalogs.db.

satcfdi ships SAT's CFDI 4.0 catalogs as a SQLite file whose keys and values are pickled.
The running code must not depend on that file's layout (or on unpickling), so this script
turns the tables we need into plain CSV (gzip'd for the big ones) that are committed.

    .venv/bin/python scripts/extract_catalogs.py            # write the files
    .venv/bin/python scripts/extract_catalogs.py --check    # exit 1 if they are out of date

Output is deterministic (sorted rows, gzip mtime 0) so a regeneration without upstream
changes leaves git clean.

c_Pais: satcfdi holds only the descriptions. The format columns come from SAT's c_Pais sheet
(catCFDI_V_4, columns "Formato de código postal", "Formato de Registro de Identidad
Tributaria", "Validación del Registro de Identidad Tributaria", "Agrupaciones"), as dumped by
phpcfdi/resources-sat-catalogs (database/data/cfdi_40_paises.sql). Only three countries have
patterns; they are listed in PAIS_FORMATOS below. MEX's tax id "pattern" is an RFC (checked by
timbre.clients.rfc), and SAT's sheet has a stray line break inside it, fixed here.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "timbre" / "catalogs" / "data"

# (patron_codigo_postal, patron_identidad_tributaria, validacion_identidad_tributaria)
PAIS_FORMATOS: dict[str, tuple[str, str, str]] = {
    "CAN": ("[A-Z][0-9][A-Z] [0-9][A-Z][0-9]", "[0-9]{9}", ""),
    "USA": ("[0-9]{5}(-[0-9]{4})?", "[0-9]{9}", ""),
    "MEX": (
        "[0-9]{5}",
        "[A-Z&Ñ]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]",
        "Lista del SAT",
    ),
}
# SAT's "Agrupaciones" column: trade blocs used by Comercio Exterior.
TLCAN = {"CAN", "USA", "MEX"}
UNION_EUROPEA = {
    "DEU", "AUT", "BEL", "BGR", "CYP", "HRV", "DNK", "SVK", "SVN", "ESP", "EST", "FIN", "FRA", "GRC",
    "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "GBR", "CZE", "ROU", "SWE",
}  # fmt: skip


def satcfdi_db() -> Path:
    import satcfdi.catalogs  # imported lazily: only this developer script needs it

    return Path(satcfdi.catalogs.__file__).parent / "catalogs.db"


def read_table(conn: sqlite3.Connection, table: str) -> dict[Any, Any]:
    # The pickles are satcfdi's own package data (a pinned dependency), not user input.
    rows = conn.execute(f"SELECT key, value FROM [{table}]")
    return {pickle.loads(k): pickle.loads(v) for k, v in rows}  # noqa: S301


def _agrupacion(code: str) -> str:
    if code in TLCAN:
        return "TLCAN"
    if code in UNION_EUROPEA:
        return "Unión Europea"
    return ""


Builder = Callable[[sqlite3.Connection], tuple[Sequence[str], Iterable[Sequence[str]]]]


def build_clave_prod_serv(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_ClaveProdServ")
    return ("code", "description"), ((k, v) for k, v in sorted(table.items()))


def build_clave_unidad(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_ClaveUnidad")
    return ("code", "name"), ((k, v) for k, v in sorted(table.items()))


def build_codigo_postal(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_CodigoPostal")
    header = ("code", "estado", "municipio", "localidad", "estimulo_franja_fronteriza", "huso_horario")
    return header, ((k, *map(str, v)) for k, v in sorted(table.items()))


# c_Moneda's "Porcentaje variación" (TipoCambio's allowed variation, CFDI40118): satcfdi does not keep
# it. phpcfdi/resources-sat-catalogs (cfdi_40_monedas.sql) gives 5 for every currency but these two.
VARIACION_POR_DEFECTO = "5"
VARIACION: dict[str, str] = {"XTS": "0", "XXX": "0"}


def build_moneda(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_Moneda")
    return ("code", "description", "decimales", "porcentaje_variacion"), (
        (k, v[0], str(v[1]), VARIACION.get(k, VARIACION_POR_DEFECTO)) for k, v in sorted(table.items())
    )


def build_pais(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_Pais")
    header = (
        "code", "description", "patron_codigo_postal", "patron_identidad_tributaria",
        "validacion_identidad_tributaria", "agrupaciones",
    )  # fmt: skip
    return header, ((k, v, *PAIS_FORMATOS.get(k, ("", "", "")), _agrupacion(k)) for k, v in sorted(table.items()))


def build_estado(conn: sqlite3.Connection) -> tuple[Sequence[str], Iterable[Sequence[str]]]:
    table = read_table(conn, "C756_c_Estado")
    return ("code", "pais", "description"), ((k, v[0], v[1]) for k, v in sorted(table.items()))


OUTPUTS: dict[str, Builder] = {
    "c_ClaveProdServ.csv.gz": build_clave_prod_serv,
    "c_ClaveUnidad.csv.gz": build_clave_unidad,
    "c_CodigoPostal.csv.gz": build_codigo_postal,
    "c_Moneda.csv": build_moneda,
    "c_Pais.csv": build_pais,
    "c_Estado.csv": build_estado,
}


def render(name: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    raw = text.getvalue().encode("utf-8")
    if not name.endswith(".gz"):
        return raw
    out = io.BytesIO()
    # mtime=0 and no file name: byte-identical output on every run.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=None, help="catalogs.db (default: the installed satcfdi's)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"output directory (default: {DATA_DIR})")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if a file would change")
    args = parser.parse_args(argv)

    conn = sqlite3.connect(f"file:{args.db or satcfdi_db()}?mode=ro", uri=True)
    stale = []
    try:
        for name, builder in OUTPUTS.items():
            content = render(name, *builder(conn))
            target: Path = args.out / name
            if target.exists() and target.read_bytes() == content:
                print(f"unchanged {target}")
                continue
            stale.append(name)
            if not args.check:
                target.write_bytes(content)
                print(f"wrote     {target} ({len(content)} bytes)")
    finally:
        conn.close()
    if args.check and stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
