"""The PAC's service manifest: the contract a PAC requires its clients to accept, signed with their FIEL.

`build` writes the manifest as XML (the contract's clauses in Spanish, the taxpayer's RFC and name, the
PAC, the date and the FIEL's certificate number), `sign` appends an enveloped XML-DSig signature made
with the FIEL, and `render_pdf` prints the same text with the signature's digest for the taxpayer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from lxml import etree

from timbre.cfdi.certs import Credential
from timbre.cfdi.pdf import fonts
from timbre.sat.xmldsig import DS, sign_enveloped

NS = "urn:timbre:manifiesto-pac:1"
TITLE = ("MANIFIESTO DE ACEPTACIÓN DEL SERVICIO DE CERTIFICACIÓN DE COMPROBANTES FISCALES DIGITALES "
         "POR INTERNET")
_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre")


@dataclass(frozen=True, slots=True)
class Parties:
    rfc: str
    nombre: str
    regimen_fiscal: str
    proveedor: str  # the PAC
    no_certificado: str  # the FIEL's


def fecha_larga(at: datetime) -> str:
    return f"{at.day} de {_MONTHS[at.month - 1]} de {at.year}"


def clauses(parties: Parties, at: datetime) -> list[str]:
    contribuyente, proveedor = f"{parties.nombre}, con RFC {parties.rfc}", parties.proveedor
    return [
        f"{contribuyente} (en adelante, «el Contribuyente»), manifiesta su voluntad de contratar y acepta el "
        f"servicio de certificación de Comprobantes Fiscales Digitales por Internet (CFDI) que le presta "
        f"{proveedor} (en adelante, «el Proveedor»), proveedor de certificación de CFDI autorizado por el "
        "Servicio de Administración Tributaria (SAT), a través de la plataforma Timbre.",
        "El Contribuyente autoriza al Proveedor a validar los comprobantes que le envíe, asignarles el folio "
        "fiscal, incorporarles el sello digital del SAT y enviar al SAT copia de los comprobantes "
        "certificados, en los términos de los artículos 29 y 29-A del Código Fiscal de la Federación y de "
        "la Resolución Miscelánea Fiscal vigente.",
        "El Proveedor se obliga a guardar la confidencialidad de la información de los comprobantes, a no "
        "utilizarla para fines distintos de su certificación y a ponerla a disposición del SAT cuando éste "
        "la requiera.",
        "La certificación no exime al Contribuyente de las obligaciones fiscales que le corresponden ni de "
        "la veracidad de la información asentada en sus comprobantes.",
        f"El Contribuyente firma el presente manifiesto con su e.firma (FIEL), certificado número "
        f"{parties.no_certificado}, el {fecha_larga(at)}; surte efectos desde esa fecha y mientras utilice "
        "el servicio.",
    ]


def build(parties: Parties, at: datetime) -> etree._Element:
    root = etree.Element(f"{{{NS}}}Manifiesto", nsmap={None: NS},
                         Version="1.0", Fecha=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    etree.SubElement(root, f"{{{NS}}}Contribuyente", Rfc=parties.rfc, Nombre=parties.nombre,
                     RegimenFiscal=parties.regimen_fiscal)
    etree.SubElement(root, f"{{{NS}}}Proveedor", Nombre=parties.proveedor)
    etree.SubElement(root, f"{{{NS}}}Certificado", NoCertificado=parties.no_certificado)
    texto = etree.SubElement(root, f"{{{NS}}}Texto")
    etree.SubElement(texto, f"{{{NS}}}Titulo").text = TITLE
    for number, text in enumerate(clauses(parties, at), start=1):
        etree.SubElement(texto, f"{{{NS}}}Clausula", Numero=str(number)).text = text
    return root


def sign(parties: Parties, at: datetime, fiel: Credential) -> bytes:
    """The manifest as signed XML (UTF-8, with its declaration)."""
    root = build(parties, at)
    sign_enveloped(root, fiel)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def signed_contract(rfc: str, at: datetime, text: str, fiel: Credential) -> bytes:
    """A PAC's own contract text as its manifest service takes it back (Finkok's `sign_contract`):
    `<documento><contrato rfc=… fecha=…>TEXT</contrato></documento>`, with an enveloped XML-DSig by the FIEL."""
    root = etree.Element("documento")
    etree.SubElement(root, "contrato", rfc=rfc, fecha=at.strftime("%Y-%m-%dT%H:%M:%S")).text = text
    sign_enveloped(root, fiel)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def render_pdf(parties: Parties, at: datetime, signed_xml: bytes) -> bytes:
    """The manifest's text, its parties and the signature's value, on A4 pages."""
    signature = etree.fromstring(signed_xml).findtext(f"{{{DS}}}Signature/{{{DS}}}SignatureValue") or ""
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    fonts.install(pdf)
    pdf.add_page()
    pdf.set_font(fonts.FAMILY, "B", 12)
    pdf.multi_cell(0, 6, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(fonts.FAMILY, "", 10)
    for number, text in enumerate(clauses(parties, at), start=1):
        pdf.multi_cell(0, 5, f"{number}. {text}", align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(4)
    pdf.set_font(fonts.FAMILY, "B", 9)
    pdf.multi_cell(0, 5, f"Firmado con e.firma: {parties.nombre} ({parties.rfc})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, "", 8)
    pdf.multi_cell(0, 4, f"Certificado: {parties.no_certificado} · Fecha de firma: "
                   f"{at.strftime('%Y-%m-%d %H:%M:%S')} UTC", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4, f"Firma (RSA-SHA256): {signature}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
