"""Bringing CFDI into the mirror: SAT's packages (XML or metadata), a ZIP the user downloaded from SAT's
portal, or loose XML. Rows are upserted by UUID (metadata first, XML fills in, in any order); every XML
is verified and the outcome stored on the row, forged or not. A row created or changed emits
`sat.invoice.synced` in the same transaction; importing the same content again changes nothing.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi import verify as cfdi_verify
from timbre.errors import BadRequest
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit.ids import new_id
from timbre.models import SatInvoice, Team
from timbre.satmirror import read
from timbre.satmirror.output import serialize
from timbre.satmirror.repository import SatInvoiceRepository
from timbre.satmirror.verification import verification

MAX_ZIP_FILES = 20_000
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a ZIP bomb stops here
_FIELDS = ("invoice_type", "issuer_rfc", "receiver_rfc", "issuer_name", "receiver_name", "pac_rfc", "total",
           "issued_at", "certified_at", "currency", "version")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    uuids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "uuids": self.uuids}


def direction_of(team_rfc: str, summary: read.Summary) -> str | None:
    if summary.issuer_rfc == team_rfc:
        return "issued"
    if summary.receiver_rfc == team_rfc:
        return "received"
    return None


def team_rfc(team: Team) -> str:
    if not team.tax_id:
        raise BadRequest("Team tax_id required", "Set the team's tax_id (RFC): the mirror sorts CFDI by it",
                         code="team_tax_id_required")
    return team.tax_id.upper()


class Ingest:
    def __init__(self, session: Session, team: Team, livemode: bool, source: str) -> None:
        self.session, self.team, self.livemode, self.source = session, team, livemode, source
        self.rfc = team_rfc(team)
        self.repo = SatInvoiceRepository.from_session(session)
        self.result = ImportResult()

    def _apply(self, summary: read.Summary, values: dict[str, Any]) -> SatInvoice | None:
        direction = direction_of(self.rfc, summary)
        if direction is None:
            self.result.rejected.append({"uuid": summary.uuid, "reason": f"neither issued by nor to {self.rfc}"})
            return None
        row = self.repo.by_uuid(self.team.id, self.livemode, summary.uuid)
        if row is None:
            row = SatInvoice(id=new_id("satinv"), team_id=self.team.id, livemode=self.livemode, uuid=summary.uuid,
                             direction=direction, source=self.source, **{"details": {}, **values})
            self.repo.add(row)
            self.result.created += 1
        else:
            changes = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
            if not changes:
                self.result.unchanged += 1
                self.result.uuids.append(row.uuid)
                return row
            for key, value in changes.items():
                setattr(row, key, value)
            self.session.flush()
            self.result.updated += 1
        self.result.uuids.append(row.uuid)
        event_service.record(self.session, team_id=self.team.id, livemode=self.livemode,
                             type=EventType.sat_invoice_synced, data=serialize(row), object_id=row.id)
        return row

    def metadata(self, summary: read.Summary) -> None:
        values = {name: getattr(summary, name) for name in _FIELDS}
        values.update(status=summary.status, cancelled_at=summary.cancelled_at)
        values = {k: v for k, v in values.items() if v is not None}
        existing = self.repo.by_uuid(self.team.id, self.livemode, summary.uuid)
        if existing is None:
            values["resource_status"] = "metadata"
        elif existing.xml is not None:  # the XML is the better source of everything but SAT's status
            values = {k: v for k, v in values.items() if k in ("status", "cancelled_at")}
        self._apply(summary, values)

    def xml(self, xml: bytes, name: str = "") -> SatInvoice | None:
        try:
            root, version = cfdi_verify.parse(xml)
            summary = read.from_xml(root, version)
        except (cfdi_verify.NotACfdi, read.Unreadable) as exc:
            self.result.rejected.append({"file": name, "reason": str(exc)})
            return None
        existing = self.repo.by_uuid(self.team.id, self.livemode, summary.uuid)
        if existing is not None and existing.xml == xml:
            self.result.unchanged += 1
            self.result.uuids.append(existing.uuid)
            return existing
        checked = verification(self.session, root, version, livemode=self.livemode, issuer_rfc=summary.issuer_rfc)
        if existing is not None and existing.xml is not None and (existing.verification or {}).get("valid") \
                and not checked["valid"]:
            self.result.rejected.append({"file": name, "uuid": summary.uuid, "reason": "differs from the verified "
                                         "XML already held for this UUID and fails verification: kept the held one"})
            return existing
        values = {name: getattr(summary, name) for name in _FIELDS}
        values.update(xml=xml, resource_status="xml_downloaded", verification=checked, details=summary.details)
        if existing is None:
            values["status"] = "Vigente"  # SAT's metadata (or a status query) corrects it
        return self._apply(summary, values)

    def package(self, data: bytes, name: str = "") -> None:
        """A ZIP of CFDI XML and/or SAT metadata TXT files."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, ValueError):
            raise BadRequest("Invalid file", f"{name or 'the upload'} is not a ZIP, an XML nor a TXT file",
                             code="invalid_file_format") from None
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise BadRequest("Invalid file", f"the ZIP holds more than {MAX_ZIP_FILES} files or "
                             f"{MAX_UNZIPPED_BYTES // 2**20} MiB", code="invalid_file_format")
        for member in members:
            try:
                content = archive.read(member)
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
                self.result.rejected.append({"file": member.filename, "reason": f"unreadable in the ZIP: {exc}"})
                continue
            self.file(member.filename, content)

    def file(self, name: str, content: bytes) -> None:
        lower = name.lower()
        if lower.endswith(".txt"):
            try:
                for summary in read.metadata_rows(content.decode("utf-8-sig")):
                    self.metadata(summary)
            except (read.Unreadable, UnicodeDecodeError) as exc:
                self.result.rejected.append({"file": name, "reason": str(exc)})
        elif lower.endswith(".xml"):
            self.xml(content, name)
        else:
            self.result.rejected.append({"file": name, "reason": "neither a CFDI XML nor a SAT metadata TXT"})
