"""Payment complements (CFDI type P with Pagos 2.0) from neutral input. Pure: no web, no database.

    payments = [Payment(fecha_pago=..., forma_de_pago_p="03", moneda_p="MXN", documents=[
        PaidDocument(uuid=..., moneda="MXN", num_parcialidad=1, imp_saldo_ant=D("116000.00"),
                     imp_pagado=D("50000.00"), total=D("116000.00"),
                     taxes=taxes_of_amounts(invoice_amounts.conceptos))])]
    data = comprobante_pago(emisor, receptor, "42501", fecha, "P", "1", payments)
    xml = seal.seal(build.build(data), credential)

`docto` prorates each invoice's taxes (ImpuestosDR) and checks its balances; `complement`
builds the Pago nodes, ImpuestosP and Totales; `comprobante` wraps them in the CFDI of type P.
Bad input raises `PagosInputError`; paying more than an invoice's balance raises `Overpayment`.
"""

from .complement import build_pagos
from .comprobante import comprobante_pago
from .docto import prorate
from .inputs import DocumentTax, Overpayment, PagosInputError, PaidDocument, Payment, taxes_of_amounts, taxes_of_cfdi

__all__ = [
    "DocumentTax",
    "Overpayment",
    "PagosInputError",
    "PaidDocument",
    "Payment",
    "build_pagos",
    "comprobante_pago",
    "prorate",
    "taxes_of_amounts",
    "taxes_of_cfdi",
]
