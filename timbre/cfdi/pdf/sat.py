"""What SAT requires on a printed CFDI besides the data itself: the QR URL and the TFD cadena.

Sources: Anexo 20 (CFDI 3.3 and 4.0), "Código de barras bidimensional" — the QR holds the
verification URL with ``id`` (UUID), ``re`` / ``rr`` (RFCs, ``&`` written as ``&amp;``), ``tt``
(total, up to 18 integer digits and 6 decimals without non-significant zeros, keeping one decimal:
``1000.0``) and ``fe`` (the last 8 characters of the CFDI's Sello). The 10-integer-digit, zero
padded total belongs to CFDI 3.2 and to the consultation web service, not to this QR.
The TFD 1.1 cadena follows SAT's ``cadenaoriginal_TFD_1_1.xslt``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from timbre.cfdi.pdf.fields import Node, text

VERIFICATION_URL = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx"

_SIX = Decimal("0.000001")


def format_qr_total(total: Decimal) -> str:
    """``tt`` for the QR: ``1160`` → ``1160.0``, ``123.450000`` → ``123.45``."""
    digits = f"{total.quantize(_SIX, rounding=ROUND_HALF_UP):f}".rstrip("0")
    return digits + "0" if digits.endswith(".") else digits


def verification_url(*, uuid: str, rfc_emisor: str, rfc_receptor: str, total: Decimal, sello: str) -> str:
    """The URL SAT's verification page reads from the QR code of a CFDI 4.0."""
    return (
        f"{VERIFICATION_URL}?id={uuid}"
        f"&re={_xml_escape(rfc_emisor)}&rr={_xml_escape(rfc_receptor)}"
        f"&tt={format_qr_total(total)}&fe={sello[-8:]}"
    )


def tfd_cadena_original(tfd: Node) -> str:
    """``||1.1|UUID|FechaTimbrado|RfcProvCertif[|Leyenda]|SelloCFD|NoCertificadoSAT||``."""
    values = [
        _normalize(tfd.get("Version") or "1.1"),
        _normalize(tfd.get("UUID")),
        _normalize(tfd.get("FechaTimbrado")),
        _normalize(tfd.get("RfcProvCertif")),
    ]
    leyenda = _normalize(tfd.get("Leyenda"))
    if leyenda:  # optional attribute: absent from the cadena when empty, per the XSLT
        values.append(leyenda)
    values += [_normalize(tfd.get("SelloCFD")), _normalize(tfd.get("NoCertificadoSAT"))]
    return "||" + "|".join(values) + "||"


def _normalize(value: Any) -> str:
    # XSLT normalize-space(); datetimes as they appear in the XML attribute.
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    return " ".join(text(value).split())


def _xml_escape(value: str) -> str:
    return value.replace("&", "&amp;")
