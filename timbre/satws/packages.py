"""The contents of Descarga Masiva packages, as SAT builds them: a ZIP of `<UUID>.xml` files for the CFDI
kind, or a ZIP of one metadata TXT (`~`-separated, header line, CRLF line ends; Estatus 1 vigente, 0
cancelado) for the Metadata kind."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from timbre.cfdi import xmlsafe
from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.cfdi.seal import CFDI_NS, find_timbre
from timbre.satws.simulated_state import SatState

METADATA_HEADER = ("Uuid~RfcEmisor~NombreEmisor~RfcReceptor~NombreReceptor~RfcPac~FechaEmision~"
                   "FechaCertificacionSat~Monto~EfectoComprobante~Estatus~FechaCancelacion")


def _sat_time(value: str | None) -> str:
    return (value or "").replace("T", " ")


def metadata_line(uuid: str, xml: bytes, sat: SatState) -> str:
    root = xmlsafe.parse(xml)
    emisor = root.find(f"{{{CFDI_NS}}}Emisor")
    receptor = root.find(f"{{{CFDI_NS}}}Receptor")
    timbre = find_timbre(root)
    assert timbre is not None  # SAT holds stamped documents only
    cancelled = ""
    if sat.cancelled_at is not None:
        cancelled = sat.cancelled_at.astimezone(MEXICO_TZ).strftime("%Y-%m-%d %H:%M:%S")
    fields = [uuid, emisor.get("Rfc"), emisor.get("Nombre") or "", receptor.get("Rfc"), receptor.get("Nombre") or "",
              timbre.get("RfcProvCertif"), _sat_time(root.get("Fecha")), _sat_time(timbre.get("FechaTimbrado")),
              root.get("Total"), root.get("TipoDeComprobante"), "0" if sat.state == "Cancelado" else "1", cancelled]
    return "~".join(str(f) for f in fields)


def zip_xml(documents: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for uuid, xml in documents:
            archive.writestr(f"{uuid}.xml", xml)
    return buffer.getvalue()


def zip_metadata(name: str, lines: Iterable[str]) -> bytes:
    text = "\r\n".join([METADATA_HEADER, *lines]) + "\r\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.txt", text.encode("utf-8"))
    return buffer.getvalue()


def parse_metadata(text: str) -> list[dict[str, Any]]:
    """The rows of a metadata TXT as dicts keyed by SAT's column names (for callers and tests)."""
    lines = [line for line in text.split("\r\n") if line]
    header = lines[0].split("~")
    return [dict(zip(header, line.split("~"), strict=True)) for line in lines[1:]]


def mexico_wall_clock(value: datetime) -> str:
    """A query bound as SAT reads it (Mexico City wall clock, ISO, seconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(MEXICO_TZ).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()
