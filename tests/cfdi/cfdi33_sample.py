"""A CFDI 3.3 as a supplier's older system would have issued it: sealed with a test CSD (SAT's 3.3 cadena
original) and stamped with the sandbox PAC's certificate (TFD 1.1)."""

from __future__ import annotations

import base64
from datetime import datetime

from lxml import etree
from satcfdi.transform import xslt_transform

from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.cfdi.pac.tfd import timbre_fiscal

NS = "http://www.sat.gob.mx/cfd/3"
TEMPLATE = f"""<cfdi:Comprobante xmlns:cfdi="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 Version="3.3" Serie="B" Folio="77" Fecha="2021-06-10T10:00:00" Sello="" FormaPago="03" NoCertificado=""
 Certificado="" SubTotal="1000.00" Moneda="MXN" Total="1160.00" TipoDeComprobante="I" MetodoPago="PUE"
 LugarExpedicion="42501"><cfdi:Emisor Rfc="{{issuer}}" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>
<cfdi:Receptor Rfc="{{receiver}}" Nombre="BERENICE XIMO QUEZADA" UsoCFDI="G03"/><cfdi:Conceptos>
<cfdi:Concepto ClaveProdServ="80141503" Cantidad="1" ClaveUnidad="E48" Descripcion="Consultoría"
 ValorUnitario="1000.00" Importe="1000.00"><cfdi:Impuestos><cfdi:Traslados><cfdi:Traslado Base="1000.00"
 Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="160.00"/></cfdi:Traslados></cfdi:Impuestos>
</cfdi:Concepto></cfdi:Conceptos><cfdi:Impuestos TotalImpuestosTrasladados="160.00"><cfdi:Traslados>
<cfdi:Traslado Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="160.00"/></cfdi:Traslados>
</cfdi:Impuestos></cfdi:Comprobante>"""


def cfdi33(csd: testca.TestCertificate, *, issuer: str = "EKU9003173C9", receiver: str = "XIQB891116QE4") -> bytes:
    credential = Credential.load(csd.cer, csd.key, csd.password)
    text = TEMPLATE.replace("{issuer}", issuer).replace("{receiver}", receiver).replace("\n", "")
    root = etree.fromstring(text.encode())
    root.set("NoCertificado", credential.no_certificado)
    root.set("Certificado", credential.base64)
    cadena = str(xslt_transform(root.tag, "3.3")(root))
    sello = base64.b64encode(credential.sign_sha256(cadena.encode())).decode()
    root.set("Sello", sello)
    tfd = timbre_fiscal(sandbox_credential(), sello, datetime(2021, 6, 10, 10, 5, 0)).to_xml()
    complemento = etree.SubElement(root, f"{{{NS}}}Complemento")
    complemento.append(tfd)
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return body
