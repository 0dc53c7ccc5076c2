"""Payments (spec §2.4): charges registered as received or requested through a payment link, and the
fiscal documents that follow them. Split by use case:

    schemas      request payloads            pricing     items → priced snapshot (the invoices' engine)
    create       register / request          lifecycle   mark paid, cancel, payer's transfer notice
    refunds      full and partial refunds    automation  invoice / complement / receipt when paid
    links        short_url and the hosted page's data     integrations  bank and card settings of a team
    output       the wire shape              service     reading; repository (SQL); tasks (jobs)
"""
