"""Retentions API (spec §2.10): CFDI de Retenciones e Información de Pagos 2.0."""
