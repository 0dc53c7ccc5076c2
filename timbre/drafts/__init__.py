"""Drafts (pre-facturas, spec §2.3): any part of an income or egress invoice, completed over time,
previewed as a watermarked PDF, and stamped into an invoice when complete.

    schemas   create/update payloads     service   CRUD (null clears a field)    output  wire shape
    preview   the PREFACTURA PDF         stamp     the invoices pipeline, exactly once per draft
    repository all SQL                   endpoints
"""
