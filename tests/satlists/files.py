"""SAT list files generated in SAT's own formats (title lines, SAT's header row, Windows-1252), with
made-up taxpayers: no SAT data is committed."""

from __future__ import annotations

from pathlib import Path

HEADER_69B = Path(__file__).resolve().parents[1].joinpath("fixtures", "efos_sample.csv").read_bytes().decode(
    "cp1252").splitlines()[2]
HEADER_69 = "RFC,RAZÓN SOCIAL,TIPO PERSONA,SUPUESTO,FECHAS DE PRIMERA PUBLICACION"
HEADER_69_AMOUNT = HEADER_69 + ",MONTO,FECHA DE PUBLICACIÓN (con monto de acuerdo a la Ley de Transparencia)"
_SITUATIONS = ("Presunto", "Definitivo", "Desvirtuado", "Sentencia Favorable")


def rfc(n: int, *, moral: bool = True) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    prefix = "".join(letters[(n // 26 ** i) % 26] for i in range(3 if moral else 4))
    return f"{prefix}{(n % 28) + 1:02d}{(n % 12) + 1:02d}{(n % 28) + 1:02d}A{n % 10}{n % 7}"[:13]


def sixty_nine_b(rows: int | list[tuple[str, str]], *, bis: bool = False) -> bytes:
    """A 69-B (or 69-B Bis) file; `rows` is a count or (rfc, situation) pairs."""
    pairs = [(rfc(i), _SITUATIONS[i % 4]) for i in range(rows)] if isinstance(rows, int) else rows
    article = "69-B Bis" if bis else "69-B"
    lines = ["Información actualizada al 15 de octubre de 2026",
             f"Listado completo de contribuyentes (Artículo {article} del Código Fiscal de la Federación)", HEADER_69B]
    for number, (code, situation) in enumerate(pairs, start=1):
        dates = {"Presunto": ",,,,,,,,,,,,", "Desvirtuado": "500-05-2025-22222 de fecha 1 de junio de 2025,"
                 "01/06/2025,,,,,,,,,,", "Definitivo": ",,,,500-05-2025-33333 de fecha 8 de agosto de 2025,"
                 "08/08/2025,,,,,,", "Sentencia Favorable": ",,,,,,,,500-05-2025-44444 de fecha 2 de septiembre "
                 "de 2025,02/09/2025,,"}[situation]
        lines.append(f'{number},{code},"CONTRIBUYENTE FICTICIO {number}, S.A. DE C.V.",{situation},'
                     f"500-05-2025-11111 de fecha 10 de marzo de 2025,10/03/2025,500-05-2025-11111 de fecha 10 "
                     f"de marzo de 2025,25/03/2025,{dates}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def sixty_nine(supuesto: str, rfcs: list[str], *, amounts: bool = False) -> bytes:
    """A 69 file of one supuesto (FIRMES, NO LOCALIZADOS, CANCELADOS, ...)."""
    lines = [HEADER_69_AMOUNT if amounts else HEADER_69]
    for n, code in enumerate(rfcs):
        row = f'{code},"EMPRESA FICTICIA {n} SA DE CV",M,{supuesto},01/0{n % 9 + 1}/2024'
        lines.append(row + (f",{1000 + n}.50,15/10/2026" if amounts else ""))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")
