"""Test mode's first invoice without SAT's files: a team with RFC, régimen and postal code but no CSD
gets a test CSD made for its RFC by the Timbre Test CA (`timbre test-csd` makes the same by hand) the
first time it seals a document. An uploaded CSD replaces it (a new upload is the active one); live mode
never gets one: it needs the team's real CSD."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.kit.db import is_read_only
from timbre.models import Csd, Team
from timbre.sat.service import sat_connection


def provision(session: Session, secret: str, team: Team) -> Csd:
    """The team's test-mode CSD, made now when it has none. In a read-only transaction it commits that
    transaction and its own write (so the CSD survives whatever the request does next); inside a write
    transaction the caller's commit keeps it."""
    standalone = is_read_only(session)
    if standalone:
        session.commit()
    # One CSD for concurrent first documents: the team row is locked (SQLite: the write lock) and the
    # active CSD read again under it.
    locked = session.get(Team, team.id, with_for_update=True, populate_existing=True)
    assert locked is not None and locked.tax_id
    existing = sat_connection.active(session, locked.id, False)
    if existing is not None:
        return existing
    made = testca.make_test_csd(locked.tax_id, " ".join(locked.legal_name.upper().split()))
    credential = Credential.load(made.cer, made.key, made.password)
    csd = sat_connection.store(session, secret, locked, credential, livemode=False, generated=True)
    if standalone:
        session.commit()
    return csd
