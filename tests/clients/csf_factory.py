"""Constancias de Situación Fiscal generated in SAT's layout (no real person's document is kept in the repo).

The first page carries the Cédula de Identificación Fiscal (RFC, name, idCIF and the QR code with SAT's
validation URL) and the identification and address data as label/value pairs in two columns; the second page
the table of régimenes and the obligations, as SAT prints them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import segno
from fpdf import FPDF

QR_URL = "https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf?D1=10&D2=1&D3={id_cif}_{rfc}"


@dataclass
class Constancia:
    rfc: str
    id_cif: str = "23050612345"
    nombre: str | None = None  # persona física
    primer_apellido: str | None = None
    segundo_apellido: str | None = None
    razon_social: str | None = None  # persona moral
    regimenes: list[tuple[str, str, str]] = field(default_factory=list)  # (name, start, end or "")
    cp: str = "06600"
    qr_rfc: str | None = None  # a QR naming another RFC (default: the constancia's)
    with_qr: bool = True

    @property
    def display_name(self) -> str:
        return self.razon_social or " ".join(filter(None, (self.nombre, self.primer_apellido, self.segundo_apellido)))


def _pairs(pdf: FPDF, y: float, rows: list[tuple[tuple[str, str], tuple[str, str] | None]]) -> float:
    for left, right in rows:
        pdf.text(15, y, f"{left[0]}: {left[1]}")
        if right is not None:
            pdf.text(110, y, f"{right[0]}: {right[1]}")
        y += 7
    return y


def _identification(c: Constancia) -> list[tuple[tuple[str, str], tuple[str, str] | None]]:
    if c.razon_social:
        pairs = [("RFC", c.rfc), ("Denominación/Razón Social", c.razon_social),
                 ("Régimen Capital", "SOCIEDAD ANONIMA DE CAPITAL VARIABLE"), ("Nombre Comercial", ""),
                 ("Fecha inicio de operaciones", "15 DE MARZO DE 2010")]
    else:
        pairs = [("RFC", c.rfc), ("CURP", c.rfc[:10] + "HDFRRN09"), ("Nombre (s)", c.nombre or ""),
                 ("Primer Apellido", c.primer_apellido or ""), ("Segundo Apellido", c.segundo_apellido or ""),
                 ("Fecha inicio de operaciones", "01 DE JULIO DE 2015")]
    return [(pair, None) for pair in [*pairs, ("Estatus en el padrón", "ACTIVO")]]


def _cedula(pdf: FPDF, c: Constancia) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(15, 15, "CÉDULA DE IDENTIFICACIÓN FISCAL")
    pdf.set_font("Helvetica", "", 9)
    pdf.text(15, 24, c.rfc)
    pdf.text(15, 29, "Registro Federal de Contribuyentes")
    pdf.text(15, 36, c.display_name)
    pdf.text(15, 41, "Nombre, denominación o razón social")
    pdf.text(15, 48, f"idCIF: {c.id_cif}")
    pdf.text(15, 53, "VALIDA TU INFORMACIÓN FISCAL")
    if c.with_qr:
        png = io.BytesIO()
        segno.make(QR_URL.format(id_cif=c.id_cif, rfc=c.qr_rfc or c.rfc), error="m").save(png, kind="png", scale=8)
        pdf.image(png, x=150, y=18, w=35, h=35)


def constancia_pdf(c: Constancia) -> bytes:
    pdf = FPDF(format="letter")
    pdf.add_page()
    _cedula(pdf, c)
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(60, 68, "CONSTANCIA DE SITUACIÓN FISCAL")
    pdf.set_font("Helvetica", "", 9)
    pdf.text(15, 76, "Lugar y Fecha de Emisión")
    pdf.text(15, 81, "CUAUHTEMOC , CIUDAD DE MEXICO A 02 DE DICIEMBRE DE 2026")
    pdf.text(15, 90, "Datos de Identificación del Contribuyente:")
    y = _pairs(pdf, 97, _identification(c))
    pdf.text(15, y + 3, "Datos del domicilio registrado")
    _pairs(pdf, y + 10, [
        (("Código Postal", c.cp), ("Tipo de Vialidad", "CALLE")),
        (("Nombre de Vialidad", "RIO LERMA"), ("Número Exterior", "232")),
        (("Número Interior", "PISO 4"), ("Nombre de la Colonia", "CUAUHTEMOC")),
        (("Nombre de la Localidad", "CUAUHTEMOC"), ("Nombre del Municipio o Demarcación Territorial", "CUAUHTEMOC")),
        (("Nombre de la Entidad Federativa", "CIUDAD DE MEXICO"), ("Entre Calle", "RIO SENA")),
    ])
    pdf.add_page()
    pdf.text(15, 20, "Actividades Económicas:")
    pdf.text(15, 27, "Orden   Actividad Económica                                   Porcentaje   Fecha Inicio")
    pdf.text(15, 34, "1       Otros servicios profesionales, científicos y técnicos  100          01/07/2015")
    pdf.text(15, 45, "Regímenes:")
    pdf.text(15, 52, "Régimen")
    pdf.text(150, 52, "Fecha Inicio")
    pdf.text(180, 52, "Fecha Fin")
    y = 59
    for name, start, end in c.regimenes:
        pdf.text(15, y, name)
        pdf.text(150, y, start)
        if end:
            pdf.text(180, y, end)
        y += 7
    pdf.text(15, y + 5, "Obligaciones:")
    pdf.text(15, y + 12, "Descripción de la Obligación          Descripción Vencimiento          Fecha Inicio")
    return bytes(pdf.output())


def other_pdf() -> bytes:
    """A PDF that is not a constancia, though it prints an RFC (a quote)."""
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.text(15, 20, "COTIZACIÓN 2026-118")
    pdf.text(15, 30, "RFC: ECO100315AB9          Código Postal: 64000")
    pdf.text(15, 40, "Servicio de mantenimiento           1 x 12,500.00")
    return bytes(pdf.output())
