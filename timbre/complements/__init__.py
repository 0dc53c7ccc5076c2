"""Payment complements (CFDI type P with Pagos 2.0), split by use case:

    schemas     the request of POST /invoices/payment       compose   records → Pagos comprobante + rules
    create      reserve (credit, folio, balances), stamp    balances  released amounts, cancel refusal
    output      the wire shape                              service   reading; endpoints; repository (SQL)

The CFDI itself is an `Invoice` row of type P (folio, seal, stamp, files and cancellation are the
invoices'); `PaymentComplement` holds its Pago and `PaymentComplementDocument` each invoice it pays.
A PPD invoice's `last_balance` goes down with every complement, inside the transaction that reserves
the complement with the invoice row locked, and comes back when the complement fails or is cancelled.
"""
