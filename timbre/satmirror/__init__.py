"""The SAT mirror: every CFDI SAT holds for a team (issued and received), downloaded on a schedule through
SAT's Descarga Masiva or imported from a ZIP, each verified (schema, seals, 69-B list). Guide: docs/sat-mirror.md.
"""
