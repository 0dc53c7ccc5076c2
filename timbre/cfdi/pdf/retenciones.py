"""``render_retenciones_pdf``: a CFDI de Retenciones 2.0 in our branded template (same header, receiver
box, fiscal stamp block and QR as a CFDI 4.0), with the period, the totals, each retained tax and the
complement's attributes."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.catalogs import select

from timbre.cfdi.pdf import stamp
from timbre.cfdi.pdf.branding import Branding
from timbre.cfdi.pdf.canvas import Canvas
from timbre.cfdi.pdf.describe import describe
from timbre.cfdi.pdf.document import Document, Party, Stamp
from timbre.cfdi.pdf.fields import format_money
from timbre.cfdi.pdf.labels import Lang
from timbre.cfdi.pdf.page import INK, MUTED, WIDTH, X0, Page
from timbre.cfdi.pdf.sat import format_qr_total, tfd_cadena_original
from timbre.cfdi.pdf.sections import receptor

RET = "{http://www.sat.gob.mx/esquemas/retencionpago/2}"
TFD = "{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"
VERIFICATION_URL = "https://prodretencionverificacion.clouda.sat.gob.mx/"
TAXES = {"001": "ISR", "002": "IVA", "003": "IEPS"}


def clave_descripcion(clave: str) -> str:
    """``"26 - Servicios mediante Plataformas Tecnológicas"`` (SAT's c_CveRetenc, as satcfdi ships it)."""
    description = select("Ccb0_c_CveRetenc", clave) if clave else None
    return f"{clave} - {description}" if description else clave


def _stamp(root: etree._Element, rfc_e: str, rfc_r: str, total: Decimal) -> Stamp | None:
    tfd = root.find(f"{RET}Complemento/{TFD}")
    if tfd is None:
        return None
    uuid = (tfd.get("UUID") or "").upper()
    return Stamp(uuid=uuid, fecha_timbrado=tfd.get("FechaTimbrado") or "",
                 rfc_prov_certif=tfd.get("RfcProvCertif") or "",
                 no_certificado_sat=tfd.get("NoCertificadoSAT") or "", sello_cfd=tfd.get("SelloCFD") or "",
                 sello_sat=tfd.get("SelloSAT") or "", cadena_original=tfd_cadena_original(dict(tfd.attrib)),
                 qr_url=f"{VERIFICATION_URL}?id={uuid}&re={rfc_e}&rr={rfc_r}&tt={format_qr_total(total)}")


def read_retencion(root: etree._Element) -> Document:
    emisor, totales = root.find(f"{RET}Emisor"), root.find(f"{RET}Totales")
    nacional, extranjero = root.find(f"{RET}Receptor/{RET}Nacional"), root.find(f"{RET}Receptor/{RET}Extranjero")
    node = nacional if nacional is not None else extranjero
    rfc_r = (nacional.get("RfcR") or "") if nacional is not None else ""
    total = Decimal(totales.get("MontoTotOperacion") or "0")
    return Document(
        tipo="R", tipo_descripcion=clave_descripcion(root.get("CveRetenc") or ""),
        serie="", folio=root.get("FolioInt") or "", fecha=root.get("FechaExp") or "",
        lugar_expedicion=root.get("LugarExpRetenc") or "", moneda="MXN", moneda_descripcion="MXN - Peso Mexicano",
        tipo_cambio=None, forma_pago="", metodo_pago="", exportacion="", condiciones_de_pago="",
        no_certificado=root.get("NoCertificado") or "", sello=root.get("Sello") or "",
        emisor=Party(emisor.get("NomDenRazSocE") or "", emisor.get("RfcE") or "",
                     describe("c_RegimenFiscal", emisor.get("RegimenFiscalE"))),
        receptor=Party(node.get("NomDenRazSocR") or "", rfc_r or "—", "",
                       domicilio_fiscal=(nacional.get("DomicilioFiscalR") or "") if nacional is not None else "",
                       residencia_fiscal="" if nacional is not None else "Extranjero",
                       num_reg_id_trib=(extranjero.get("NumRegIdTribR") or "") if extranjero is not None else ""),
        lines=(), subtotal=None, descuento=None, total=total, traslados=(), retenciones=(), related=(),
        global_info=None, payments=None, stamp=_stamp(root, emisor.get("RfcE") or "", rfc_r, total),
    )


def _facts(page: Page, label: str, rows: list[tuple[str, str]]) -> None:
    c = page.c
    page.ensure(12)
    page.y = page.section_label(X0, page.y, label) + 0.5
    half = WIDTH / 2 - 2
    for index in range(0, len(rows), 2):
        pair = rows[index:index + 2]
        page.ensure(8)
        ys = [page.field_line(X0 + column * (half + 4), page.y, half, name, value)
              for column, (name, value) in enumerate(pair)]
        page.y = max(ys)
    c.use(7, color=INK)
    page.gap(2)


def _summary(page: Page, root: etree._Element) -> None:
    periodo, totales = root.find(f"{RET}Periodo"), root.find(f"{RET}Totales")
    rows = [("Periodo", f"{periodo.get('MesIni')} – {periodo.get('MesFin')} / {periodo.get('Ejercicio')}"),
            ("Clave de retención", clave_descripcion(root.get("CveRetenc") or "")),
            ("Descripción", root.get("DescRetenc") or "")]
    rows += [(name, f"${format_money(Decimal(totales.get(attr) or '0'))}")
             for name, attr in (("Monto total de la operación", "MontoTotOperacion"),
                                ("Monto total gravado", "MontoTotGrav"), ("Monto total exento", "MontoTotExent"),
                                ("Monto total retenido", "MontoTotRet"))]
    _facts(page, "Retención", [row for row in rows if row[1]])
    taxes = [(f"{TAXES.get(i.get('ImpuestoRet') or '', i.get('ImpuestoRet') or '')} · pago {i.get('TipoPagoRet')}",
              f"base ${format_money(Decimal(i.get('BaseRet') or '0'))} · retenido "
              f"${format_money(Decimal(i.get('MontoRet') or '0'))}") for i in totales.findall(f"{RET}ImpRetenidos")]
    if taxes:
        _facts(page, "Impuestos retenidos", taxes)
    complemento = root.find(f"{RET}Complemento")
    for child in complemento if complemento is not None else []:
        if child.tag == TFD:
            continue
        name = etree.QName(child).localname
        rows = [(k, v) for k, v in child.attrib.items() if "}" not in k]
        for sub in child.iter():
            if sub is not child and sub.attrib:
                rows += [(f"{etree.QName(sub).localname}.{k}", v) for k, v in sub.attrib.items()]
        page.c.use(7, color=MUTED)
        _facts(page, f"Complemento {name}", rows)


def render_retenciones_pdf(xml: bytes | etree._Element, branding: Branding, *, watermark: str | None = None,
                           lang: Lang = "es") -> bytes:
    root = xml if isinstance(xml, etree._Element) else etree.fromstring(
        xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    doc = read_retencion(root)
    canvas = Canvas()
    canvas.set_title(" ".join(p for p in (doc.folio, doc.stamp.uuid if doc.stamp else "") if p))
    canvas.set_author(doc.emisor.nombre)
    page = Page(canvas, doc, branding, lang, watermark)
    page.first_header()
    receptor(page)
    _summary(page, root)
    stamp.stamp(page)
    page.close_page()
    return canvas.pdf_bytes()
