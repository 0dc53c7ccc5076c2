"""Branded PDF rendering of CFDI 4.0 documents (pure: no web, no database).

    from timbre.cfdi.pdf import Branding, render_cfdi_pdf
    pdf = render_cfdi_pdf(cfdi, Branding(legal_name="Mi Empresa"), watermark="SIN VALIDEZ FISCAL")
"""

from timbre.cfdi.pdf.branding import Branding
from timbre.cfdi.pdf.render import render_cfdi_pdf
from timbre.cfdi.pdf.words import amount_to_words

__all__ = ["Branding", "amount_to_words", "render_cfdi_pdf"]
