"""The pure CFDI core: certificates, tax engine, building and sealing, XSD validation and PACs.

No FastAPI and no SQLAlchemy here. Modules: `money` (the rounding rule), `taxes` (the tax
engine), `certs` (CSD/FIEL loading and checks), `testca` (the test certificate authority),
`build` (the Comprobante from neutral input), `seal` (Sello and cadena original), `xmlsafe`
(strict parsing), `xsd` (fast schema validation), `pac` (stamping providers), `catalog_memo` (satcfdi's
catalog lookups kept in memory).
"""

from . import catalog_memo

catalog_memo.install()  # satcfdi's catalog lookups from memory after their first read
