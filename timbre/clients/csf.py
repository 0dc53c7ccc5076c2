"""Reading SAT's Constancia de Situación Fiscal (CSF): what a client's fiscal data is, from the PDF SAT issues.

The constancia's first page (the Cédula de Identificación Fiscal) prints the RFC, the idCIF and a QR code
holding SAT's validation URL (`…/validadorqr.jsf?D1=10&D2=1&D3=<idCIF>_<RFC>`); the following pages list
the identification data (nombre and apellidos of a persona física, or the Denominación/Razón Social of a
persona moral), the registered address and the table of régimenes, whose SAT names map to c_RegimenFiscal
codes through the catalog's descriptions. A file is a constancia only if its text says so and gives an RFC;
when the QR is readable it must name the same RFC and idCIF as the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from timbre.catalogs import store
from timbre.clients.csf_pdf import PdfToolMissing, PdfUnreadable, pdf_text, qr_codes
from timbre.errors import BadRequest, ServiceUnavailable
from timbre.kit.uploads import sniff

__all__ = ["NOT_A_CSF", "CsfData", "read_csf", "regimen_code"]

T = TypeVar("T")
NOT_A_CSF = "Not a Constancia de Situación Fiscal"
QR_HOST = "siat.sat.gob.mx"
_VALUE_END = r"(?=\s{2,}|$)"  # a value ends where the layout's column gap (or the line) does
_REGIMEN_ROW = re.compile(r"^\s*(?P<name>\S.*?)\s+(?P<start>\d{2}/\d{2}/\d{4})(?:\s+(?P<end>\d{2}/\d{2}/\d{4}))?\s*$")
_RFC = re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z\d]{3}$")
_REGIMEN_PREFIX = re.compile(r"^regimen (?:de (?:las |los )?)?")


@dataclass
class CsfData:
    """What the constancia says (the response's `csf` object)."""

    tax_id: str
    persona: str  # "fisica" | "moral"
    legal_name: str
    id_cif: str | None
    tax_systems: list[dict[str, str | None]] = field(default_factory=list)  # {code, name, start}
    address: dict[str, str] = field(default_factory=dict)
    status: str | None = None  # "Estatus en el padrón", e.g. ACTIVO
    qr_verified: bool = False

    @property
    def tax_system(self) -> str | None:
        """The régimen the client is invoiced under: the first one in force that maps to a SAT code."""
        return next((r["code"] for r in self.tax_systems if r["code"]), None)

    def to_dict(self) -> dict[str, Any]:
        return {"tax_id": self.tax_id, "persona": self.persona, "legal_name": self.legal_name, "id_cif": self.id_cif,
                "tax_system": self.tax_system, "tax_systems": self.tax_systems, "zip": self.address.get("zip"),
                "address": self.address, "status": self.status, "qr_verified": self.qr_verified}


def _plain(text: str) -> str:
    """Lowercase, accents off, single spaces: how two spellings of a SAT name compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def regimen_code(name: str) -> str | None:
    """The c_RegimenFiscal code of a régimen as the constancia names it ("Régimen de las Personas Físicas con
    Actividades Empresariales y Profesionales" → 612), or None when no catalog description matches."""
    wanted = _REGIMEN_PREFIX.sub("", _plain(name))
    for row in store.rows("c_RegimenFiscal"):
        if _REGIMEN_PREFIX.sub("", _plain(row["description"])) == wanted:
            return row["code"]
    return None


def _not_a_csf(detail: str) -> BadRequest:
    return BadRequest(NOT_A_CSF, detail)


def _field(text: str, label: str) -> str | None:
    """The value printed after `label:` on the same line (None when the label is absent or empty)."""
    match = re.search(rf"{label}\s*:[ \t]*(?P<value>[^\n]*?){_VALUE_END}", text, re.MULTILINE | re.IGNORECASE)
    value = " ".join(match.group("value").split()) if match else ""
    return value or None


def _qr_identity(codes: list[str]) -> tuple[str, str] | None:
    """(idCIF, RFC) from SAT's validation URL among the QR codes, if one is there."""
    for code in codes:
        parts = urlsplit(code)
        if parts.hostname != QR_HOST:
            continue
        d3 = parse_qs(parts.query).get("D3", [""])[0]
        id_cif, _, rfc = d3.partition("_")
        if id_cif and rfc:
            return id_cif, rfc.upper()
    return None


def _regimenes(text: str) -> list[dict[str, str | None]]:
    section = re.search(r"Reg[ií]menes\s*:(?P<body>.*?)(?:Obligaciones\s*:|\Z)", text, re.DOTALL | re.IGNORECASE)
    found: list[dict[str, str | None]] = []
    for line in (section.group("body") if section else "").splitlines():
        row = _REGIMEN_ROW.match(line)
        if row is None or row.group("end"):  # a régimen with a Fecha Fin no longer applies
            continue
        name = " ".join(row.group("name").split())
        found.append({"code": regimen_code(name), "name": name, "start": row.group("start")})
    return found


def _address(text: str) -> dict[str, str]:
    street = " ".join(filter(None, (_field(text, "Tipo de Vialidad"), _field(text, "Nombre de Vialidad"))))
    values = {"zip": _field(text, "C[óo]digo Postal"), "street": street or None,
              "exterior": _field(text, "N[úu]mero Exterior"), "interior": _field(text, "N[úu]mero Interior"),
              "neighborhood": _field(text, "Nombre de la Colonia"), "city": _field(text, "Nombre de la Localidad"),
              "municipality": _field(text, "Nombre del Municipio o Demarcaci[óo]n Territorial"),
              "state": _field(text, "Nombre de la Entidad Federativa")}
    return {key: value for key, value in values.items() if value} | {"country": "MEX"}


def _legal_name(text: str, persona: str) -> str:
    if persona == "moral":
        name = _field(text, r"Denominaci[óo]n\s*/\s*Raz[óo]n Social")
    else:
        parts = (_field(text, r"Nombre\s*\(s\)"), _field(text, "Primer Apellido"), _field(text, "Segundo Apellido"))
        name = " ".join(p for p in parts if p) if parts[0] else None
    if not name:
        raise _not_a_csf("The constancia's name (Nombre (s) and apellidos, or Denominación/Razón Social) is missing")
    return name


def _read(reader: Callable[[bytes], T], data: bytes) -> T:
    try:
        return reader(data)
    except PdfUnreadable:
        raise _not_a_csf("The PDF cannot be read") from None
    except PdfToolMissing as exc:
        raise ServiceUnavailable("Cannot read constancias on this server", str(exc)) from None


def read_csf(data: bytes) -> CsfData:
    """The constancia's data; 400 `Not a Constancia de Situación Fiscal` for any other file."""
    if not data:
        raise _not_a_csf("The file is empty; upload the constancia's PDF as issued by SAT")
    if sniff(data) != ("application/pdf", "pdf"):
        raise _not_a_csf("The file is not a PDF; upload the constancia's PDF as issued by SAT (not a photo or scan)")
    text = _read(pdf_text, data)
    if "constancia de situacion fiscal" not in _plain(text):
        raise _not_a_csf("The PDF does not say it is a Constancia de Situación Fiscal issued by SAT")
    codes = _read(qr_codes, data)
    tax_id = (_field(text, "RFC") or "").upper()
    if not _RFC.match(tax_id):
        raise _not_a_csf("The constancia's RFC is missing or malformed")
    persona = "fisica" if len(tax_id) == 13 else "moral"
    id_cif = _field(text, "idCIF")
    qr = _qr_identity(codes)
    if qr is not None and (qr[1] != tax_id or (id_cif is not None and qr[0] != id_cif)):
        raise _not_a_csf(f"The QR code names {qr[1]} (idCIF {qr[0]}) but the text names {tax_id} (idCIF {id_cif})")
    return CsfData(tax_id=tax_id, persona=persona, legal_name=_legal_name(text, persona),
                   id_cif=id_cif or (qr[0] if qr else None), tax_systems=_regimenes(text), address=_address(text),
                   status=_field(text, r"Estatus en el padr[óo]n"), qr_verified=qr is not None)
