"""Receipts (spec §2.5): sales a customer may invoice themselves on the self-invoice portal; what nobody
invoices goes into the period's global invoice to público en general."""
