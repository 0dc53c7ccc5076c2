"""The SAT mirror's reads and on-demand actions: list, get, PDF, import, retry of a missing XML."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from satcfdi.cfdi import CFDI
from sqlalchemy.orm import Session

from timbre.cfdi import verify as cfdi_verify
from timbre.cfdi.pdf import render_cfdi_pdf
from timbre.errors import BadRequest, Conflict, NotFound
from timbre.invoices.files import branding
from timbre.kit.pagination import Page
from timbre.models import SatInvoice, Team
from timbre.satmirror import tasks
from timbre.satmirror.downloads import downloads
from timbre.satmirror.ingest import ImportResult, Ingest
from timbre.satmirror.output import serialize
from timbre.satmirror.read import UUID_RE, Unreadable, local_ms
from timbre.satmirror.repository import Filters, SatInvoiceRepository

NOT_FOUND = ("SAT invoice not found", "No CFDI with this UUID in the team's SAT mirror")
TEST_WATERMARK = "SIN VALIDEZ FISCAL - PRUEBA"


def _bound(value: str | None, name: str, *, end: bool) -> int | None:
    """`from`/`to`: a date (YYYY-MM-DD, the whole day) or a date-time, Mexico City time; or unix s/ms."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit() and len(text) <= 13:
        number = int(text)
        return number if number >= 100_000_000_000 else number * 1000 + (999 if end else 0)
    try:
        if len(text) == 10:
            day = local_ms(f"{text}T00:00:00")
            return None if day is None else day + (86_400_000 - 1 if end else 0)
        return local_ms(text)
    except Unreadable:
        raise BadRequest("Invalid date", f"{name} must be YYYY-MM-DD, an ISO date-time or a unix timestamp",
                         code="invalid_field_value", details=[{"field": name, "message": f"{name}: {value!r}"}]) \
            from None


class SatMirrorService:
    def filters(self, *, direction: str | None, status: str | None, invoice_type: str | None,
                issuer_rfc: str | None, receiver_rfc: str | None, from_: str | None, to: str | None) -> Filters:
        return Filters(direction=direction, status=status, invoice_type=invoice_type,
                       issuer_rfc=issuer_rfc.upper() if issuer_rfc else None,
                       receiver_rfc=receiver_rfc.upper() if receiver_rfc else None,
                       issued_from=_bound(from_, "from", end=False), issued_to=_bound(to, "to", end=True))

    def list(self, session: Session, team_id: str, livemode: bool, filters: Filters, *, limit: int,
             starting_after: str | None) -> Page:
        repo = SatInvoiceRepository.from_session(session)
        after = None
        if starting_after:
            after = repo.by_uuid(team_id, livemode, starting_after) if UUID_RE.match(starting_after) else None
            if after is None:
                raise BadRequest("Invalid cursor", "starting_after must be the UUID of a CFDI of this list",
                                 code="invalid_field_value")
        rows = list(repo.page(team_id, livemode, filters, limit=limit + 1, after=after))
        has_more = len(rows) > limit
        rows = rows[:limit]
        total, estimated = repo.count(team_id, livemode, filters)
        cursor = rows[-1].uuid if has_more and rows else None
        return Page([serialize(row) for row in rows], cursor, has_more, total, estimated=estimated)

    def get(self, session: Session, team_id: str, livemode: bool, uuid: str) -> SatInvoice:
        row = SatInvoiceRepository.from_session(session).by_uuid(team_id, livemode, uuid) \
            if UUID_RE.match(uuid) else None
        if row is None:
            raise NotFound(*NOT_FOUND)
        return row

    @staticmethod
    def xml(row: SatInvoice) -> dict[str, Any]:
        """The mirrored CFDI's XML, or the 409 `pdf` answers when only its metadata is known."""
        if row.xml is None:
            raise Conflict("XML not downloaded yet", "SAT's metadata is known but not the XML: POST "
                           f"/v2/invoices/sat/{row.uuid}/retry-xml first", code="xml_missing")
        try:
            xml, encoding = row.xml.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:  # not a valid CFDI's encoding, but kept as SAT sent it
            xml, encoding = base64.b64encode(row.xml).decode("ascii"), "base64"
        return {"uuid": row.uuid, "direction": row.direction, "status": row.status, "encoding": encoding,
                "xml": xml}

    def pdf(self, session: Session, team: Team, livemode: bool, uuid: str) -> str:
        """Our PDF template for the mirrored CFDI (any 4.0 or 3.3, complements included), base64."""
        row = self.get(session, team.id, livemode, uuid)
        self.xml(row)  # 409 without the XML
        assert row.xml is not None
        root, _version = cfdi_verify.parse(row.xml)
        watermarks = [w for w, on in (("CANCELADO", row.status == "Cancelado"), (TEST_WATERMARK, not livemode)) if on]
        pdf = render_cfdi_pdf(CFDI.from_xml(root), branding(team), watermark=" - ".join(watermarks) or None)
        return base64.b64encode(pdf).decode("ascii")

    def import_files(self, session: Session, team: Team, livemode: bool,
                     files: Sequence[tuple[str, bytes]]) -> ImportResult:
        if not files:
            raise BadRequest("File required", "Send a ZIP from SAT's portal or CFDI XML files (multipart `file`)",
                             code="missing_required_field", details=[{"field": "file", "message": "file is required"}])
        ingest = Ingest(session, team, livemode, source="import")
        for name, content in files:
            if content[:4] == b"PK\x03\x04":
                ingest.package(content, name)
            else:
                ingest.file(name if name.lower().endswith((".xml", ".txt")) else f"{name}.xml", content)
        return ingest.result

    def retry_xml(self, session: Session, team: Team, livemode: bool, uuid: str, owner_id: str | None
                  ) -> dict[str, Any]:
        """Ask SAT again for the XML of a CFDI known by its metadata: a CFDI download of its issue day."""
        row = self.get(session, team.id, livemode, uuid)
        if row.xml is not None:
            return {"uuid": row.uuid, "resource_status": row.resource_status, "credit_charged": False,
                    "run_id": None, "message": "XML already downloaded"}
        day = datetime.fromtimestamp(row.issued_at / 1000, UTC)
        run = downloads.start(session, team, livemode, directions=[row.direction], kinds=("CFDI",),
                              start=day - timedelta(hours=12), end=day + timedelta(hours=12),
                              source="manual", owner_id=owner_id)
        tasks.enqueue_run(session, run)
        row.resource_status = "xml_requested"
        session.flush()
        return {"uuid": row.uuid, "resource_status": row.resource_status, "credit_charged": False, "run_id": run.id}


sat_mirror = SatMirrorService()
