"""CFDI de Retenciones e Información de Pagos 2.0: build, seal, SAT's schemas and the filling guide's
rules. Pure core (no FastAPI, no SQLAlchemy), SAT's vocabulary.

    data = RetencionInput(...)                       # what the document says
    violations = rules.check(data)                   # the guía de llenado, before any folio is taken
    xml = seal.seal(build.build(data), credential)   # NoCertificado, Certificado, Sello set by us
    xsd.validate(xml)                                # SAT's Retenciones 2.0 + complement schemas
"""
