"""Income and egress CFDI as an API (spec §2.3), split by use case (Lago's layout):

    schemas      request payloads             compose     request → Comprobante input (team, client, defaults)
    items        items → priced Conceptos     validation  SAT's rules → the 400's details
    create       the create pipeline          stamping    PAC choice, one attempt and its outcome
    cancel       cancellation                 files       XML/PDF/acuse storage and signed links
    send         e-mailing an invoice         output      the wire shape
    service      reading (lists, search)      repository  all SQL (invoices, folio counters, credits)
    tasks        Huey jobs (recovery of pending invoices, e-mails)
"""
