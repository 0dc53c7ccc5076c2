"""What the mirror keeps of a CFDI, read from its XML or from a row of SAT's metadata file.

SAT's metadata (Descarga Masiva, `Metadata` requests) is a text file: a header line then one line per CFDI,
fields separated by `~`: Uuid, RfcEmisor, NombreEmisor, RfcReceptor, NombreReceptor, RfcPac, FechaEmision,
FechaCertificacionSat, Monto, EfectoComprobante, Estatus (1 Vigente, 0 Cancelado), FechaCancelacion. Fields
are read by their header name, so a column SAT adds or moves does not break the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.cfdi.verify import find_timbre

MEXICO = ZoneInfo("America/Mexico_City")
UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_TYPES = {"I", "E", "P", "N", "T"}


class Unreadable(ValueError):
    """A CFDI or a metadata row the mirror cannot use (the message says why)."""


@dataclass
class Summary:
    uuid: str
    invoice_type: str
    issuer_rfc: str
    receiver_rfc: str
    total: Decimal
    issued_at: int
    issuer_name: str | None = None
    receiver_name: str | None = None
    pac_rfc: str | None = None
    certified_at: int | None = None
    currency: str | None = None
    version: str | None = None
    status: str | None = None  # only SAT's metadata knows it
    cancelled_at: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def local_ms(value: str | None) -> int | None:
    """A SAT date-time (`2024-01-15T10:20:30` or `2024-01-15 10:20:30`), read as Mexico City time, in ms."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T")[:19])
    except ValueError:
        raise Unreadable(f"{value!r} is not a date-time") from None
    return int(parsed.replace(tzinfo=MEXICO).timestamp() * 1000)


def _decimal(value: str | None, name: str) -> Decimal:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        raise Unreadable(f"{name} {value!r} is not a number") from None
    if not number.is_finite():
        raise Unreadable(f"{name} {value!r} is not a number")
    return number


def from_xml(root: etree._Element, version: str) -> Summary:
    """The summary of a parsed Comprobante (`cfdi.verify.parse`); a CFDI without a stamp has no UUID."""
    namespace = root.tag[1:].split("}", 1)[0]
    emisor = root.find(f"{{{namespace}}}Emisor")
    receptor = root.find(f"{{{namespace}}}Receptor")
    timbre = find_timbre(root)
    if timbre is None or not UUID_RE.match(timbre.get("UUID") or ""):
        raise Unreadable("the CFDI has no TimbreFiscalDigital with a UUID: it was never stamped")
    invoice_type = root.get("TipoDeComprobante") or ""
    if invoice_type not in _TYPES or emisor is None or receptor is None:
        raise Unreadable("the CFDI lacks its TipoDeComprobante, Emisor or Receptor")
    issued_at = local_ms(root.get("Fecha"))
    if issued_at is None:
        raise Unreadable("the CFDI has no Fecha")
    payments: list[dict[str, Any]] = []
    for pago in root.iter("{http://www.sat.gob.mx/Pagos20}Pago", "{http://www.sat.gob.mx/Pagos}Pago"):
        payments.append({"date": pago.get("FechaPago"), "amount": pago.get("Monto"), "currency": pago.get("MonedaP"),
                         "documents": [d.get("IdDocumento") for d in pago if d.get("IdDocumento")]})
    details: dict[str, Any] = {"series": root.get("Serie"), "folio": root.get("Folio"),
                               "subtotal": root.get("SubTotal"), "payment_form": root.get("FormaPago"),
                               "payment_method": root.get("MetodoPago"), "use": receptor.get("UsoCFDI")}
    if payments:
        details["payments"] = payments
    return Summary(
        uuid=(timbre.get("UUID") or "").upper(), invoice_type=invoice_type,
        issuer_rfc=(emisor.get("Rfc") or "").upper(), receiver_rfc=(receptor.get("Rfc") or "").upper(),
        issuer_name=emisor.get("Nombre"), receiver_name=receptor.get("Nombre"),
        total=_decimal(root.get("Total"), "Total"), issued_at=issued_at, currency=root.get("Moneda"),
        pac_rfc=timbre.get("RfcProvCertif"), certified_at=local_ms(timbre.get("FechaTimbrado")), version=version,
        details={k: v for k, v in details.items() if v is not None},
    )


def metadata_rows(text: str) -> Iterator[Summary]:
    """The rows of a SAT metadata file; a row that cannot be read raises `Unreadable` naming its line."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        return
    header = [name.strip().lower() for name in lines[0].split("~")]
    for number, line in enumerate(lines[1:], start=2):
        values = dict(zip(header, (value.strip() for value in line.split("~")), strict=False))
        try:
            yield _metadata_row(values)
        except Unreadable as exc:
            raise Unreadable(f"metadata line {number}: {exc}") from None


def _metadata_row(values: dict[str, str]) -> Summary:
    uuid = values.get("uuid", "")
    if not UUID_RE.match(uuid):
        raise Unreadable(f"{uuid!r} is not a UUID")
    invoice_type = values.get("efectocomprobante", "")
    if invoice_type not in _TYPES:
        raise Unreadable(f"EfectoComprobante {invoice_type!r} is not one of I, E, P, N, T")
    issued_at = local_ms(values.get("fechaemision"))
    if issued_at is None:
        raise Unreadable("FechaEmision is missing")
    status = "Vigente" if values.get("estatus", "1") == "1" else "Cancelado"
    return Summary(
        uuid=uuid.upper(), invoice_type=invoice_type, issuer_rfc=values.get("rfcemisor", "").upper(),
        receiver_rfc=values.get("rfcreceptor", "").upper(), issuer_name=values.get("nombreemisor") or None,
        receiver_name=values.get("nombrereceptor") or None, pac_rfc=values.get("rfcpac") or None,
        total=_decimal(values.get("monto"), "Monto"), issued_at=issued_at,
        certified_at=local_ms(values.get("fechacertificacionsat")), status=status,
        cancelled_at=local_ms(values.get("fechacancelacion")) if status == "Cancelado" else None,
    )
