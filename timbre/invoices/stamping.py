"""Which PAC stamps, one stamping attempt, and its outcome applied to the invoice.

Test mode always uses the embedded sandbox PAC (it re-checks SAT's rules through the same engine,
as a real PAC would). Live mode uses the PAC configured with `TIMBRE_PAC` (`finkok` or `swsapien`)
and its credentials (`TIMBRE_PAC_USERNAME`, `TIMBRE_PAC_PASSWORD`, or `TIMBRE_PAC_TOKEN` for SW
Sapien; `TIMBRE_PAC_ENVIRONMENT=test` for the PAC's demo service); with none, live stamping is
refused with a 400 before any folio or credit is taken — never a fake stamp.

An attempt ends one of three ways: stamped (the invoice becomes `valid`), rejected (`failed`, the
error kept, the credit refunded) or unanswered (timeouts, 5xx: the invoice stays `pending` and a job
retries it). A retry re-sends the very same sealed bytes: a PAC never stamps one document twice (SAT's
rule 307), and when it answers "already stamped" the stamp is fetched instead (Finkok's `stamped`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from time import perf_counter
from typing import Any, Literal

import requests
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import ResponseError
from sqlalchemy.orm import Session

from timbre.cfdi import xmlsafe
from timbre.cfdi.pac import PAC, Environment, PacRejected, PacUnavailable, StampResult
from timbre.cfdi.pac.base import RawCFDI, map_exceptions, stamp_result
from timbre.cfdi.pac.finkok import FinkokPAC
from timbre.cfdi.pac.sandbox import RulesRejected, SandboxPAC
from timbre.cfdi.pac.swsapien import SWSapienPAC
from timbre.cfdi.rules import RuleContext, Violation, validate_cfdi
from timbre.cfdi.seal import find_timbre
from timbre.config import Settings
from timbre.errors import BadRequest
from timbre.invoices.repository import CreditRepository
from timbre.invoices.validation import detail
from timbre.kit import metrics
from timbre.kit.clock import now_ms
from timbre.models import Invoice
from timbre.satws.services import simulated_status

log = logging.getLogger("timbre.invoices")
ALREADY_STAMPED = "307"


class PacSettings(BaseSettings):
    """The extra PAC settings (`TIMBRE_PAC`, `TIMBRE_PAC_USERNAME`, `TIMBRE_PAC_PASSWORD` live in Settings)."""

    model_config = SettingsConfigDict(env_prefix="TIMBRE_PAC_", extra="ignore")

    token: str | None = Field(None, repr=False)
    snid: str | None = None  # Finkok: the reseller account's id for its manifest service (manifest/sign)
    environment: Literal["production", "test"] = "production"
    timeout: float = 30.0


def _sandbox_rules(cfdi: CFDI) -> list[Violation]:
    """What a PAC can check from the document alone (no related documents, no reference rates)."""
    return validate_cfdi(cfdi, RuleContext(now=datetime.now(UTC)))


def _sat_cancellation(uuid: str, rfc_emisor: str) -> str | None:
    """The simulated SAT records a cancellation the sandbox accepted and applies SAT's acceptance rules."""
    return simulated_status().cancel(uuid, rfc_emisor)


@cache
def sandbox() -> SandboxPAC:
    return SandboxPAC(rules=_sandbox_rules, cancellations=_sat_cancellation)


def pac_for(settings: Settings, livemode: bool) -> PAC:
    """The PAC that stamps documents of this mode; 400 `pac_not_configured` for live mode without one."""
    if not livemode:
        return sandbox()
    extra = PacSettings()
    environment = Environment.TEST if extra.environment == "test" else Environment.PRODUCTION
    name = (settings.pac or "").strip().lower()
    if name == "finkok" and settings.pac_username and settings.pac_password:
        return FinkokPAC(settings.pac_username, settings.pac_password, environment, timeout=extra.timeout,
                         snid=extra.snid)
    if name in ("swsapien", "sw") and (extra.token or (settings.pac_username and settings.pac_password)):
        return SWSapienPAC(token=extra.token, user=settings.pac_username, password=settings.pac_password,
                           environment=environment, timeout=extra.timeout)
    reason = f"TIMBRE_PAC={settings.pac!r} is not a supported PAC or lacks its credentials" if name else \
        "no PAC is configured"
    raise BadRequest("Live stamping is not configured",
                     f"Live-mode documents are stamped by a real PAC and {reason}: set TIMBRE_PAC=finkok|swsapien "
                     "with TIMBRE_PAC_USERNAME and TIMBRE_PAC_PASSWORD (test-mode keys use the sandbox PAC)",
                     code="pac_not_configured")


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one call to the PAC."""

    result: StampResult | None = None
    rejected: PacRejected | None = None
    unavailable: str | None = None
    stamp: dict[str, Any] | None = None  # with `result`: its stamp, checked to belong to the document


def attempt(pac: PAC, xml: bytes, *, recovering: bool = False) -> Attempt:
    """One call to the PAC with the sealed `xml`; an answer is checked here, before any transaction."""
    start = perf_counter()
    outcome = _call(pac, xml, recovering)
    metrics.PAC_LATENCY.labels(pac.name, "stamp").observe(perf_counter() - start)
    if outcome.result is not None:
        try:
            outcome = Attempt(result=outcome.result, stamp=_stamp_of(xml, outcome.result))
        except (PacUnavailable, xmlsafe.XmlError) as exc:
            outcome = Attempt(unavailable=str(exc))
    metrics.STAMPS.labels(pac.name, _outcome_label(outcome)).inc()
    return outcome


def _outcome_label(outcome: Attempt) -> str:
    if outcome.stamp is not None:
        return "stamped"
    return "rejected" if outcome.rejected is not None else "unavailable"


def _call(pac: PAC, xml: bytes, recovering: bool) -> Attempt:
    try:
        return Attempt(result=pac.stamp(xml))
    except PacRejected as exc:
        if recovering and exc.code == ALREADY_STAMPED:
            return _retrieve(pac, xml, exc)
        return Attempt(rejected=exc)
    except PacUnavailable as exc:
        return Attempt(unavailable=exc.message)
    except (requests.RequestException, OSError) as exc:  # a network error the adapter did not map: retried
        log.warning("network error from PAC %s: %s", pac.name, exc)
        return Attempt(unavailable=f"network error: {type(exc).__name__}")
    except Exception as exc:
        # Not a network error, so retrying the same bytes would fail the same way for ever: the invoice
        # fails at once (its credit comes back) with the error, and the sealed XML stays on it.
        log.exception("unexpected error from PAC %s", pac.name)
        return Attempt(rejected=unexpected("pac_error", "stamping", exc))


def unexpected(code: str, step: str, exc: Exception) -> PacRejected:
    """An unexpected, non-network error at `step` after the folio was taken, as a rejection of the document."""
    return PacRejected(code, f"Unexpected error while {step} the document ({type(exc).__name__}: {exc}); "
                             "nothing was stamped, the folio is skipped and the credit refunded")


def _retrieve(pac: PAC, xml: bytes, rejected: PacRejected) -> Attempt:
    """The PAC stamped this document before but its answer was lost: fetch that stamp."""
    if not isinstance(pac, FinkokPAC):
        return Attempt(unavailable=f"{pac.name} reports the document as already stamped ({rejected.message}); "
                                   "its stamp cannot be fetched automatically")
    mapping: dict[type[BaseException], type[PacUnavailable]] = {
        requests.RequestException: PacUnavailable, etree.XMLSyntaxError: PacUnavailable,
        AttributeError: PacUnavailable, TypeError: PacUnavailable}
    try:
        with map_exceptions(mapping):
            document = pac.client.stamped(RawCFDI(xml))
        return Attempt(result=stamp_result(document.xml))
    except PacUnavailable as exc:
        return Attempt(unavailable=exc.message)
    except ResponseError as exc:
        return Attempt(unavailable=f"the previous stamp could not be fetched: {exc}")


def xml_key(invoice: Invoice) -> str:
    mode = "live" if invoice.livemode else "test"
    return f"teams/{invoice.team_id}/{mode}/invoices/{invoice.id}.xml"


def _stamp_of(xml: bytes, result: StampResult) -> dict[str, Any]:
    """The stamp to record, after checking that the PAC's answer is our document stamped."""
    root = xmlsafe.parse(result.xml)
    timbre = find_timbre(root)
    if timbre is None or timbre.get("SelloCFD") != xmlsafe.parse(xml).get("Sello"):
        # The PAC answered with another document: never attach a foreign stamp to this invoice.
        raise PacUnavailable("the PAC returned a stamp that does not belong to this document")
    return {
        "uuid": result.uuid,
        "fecha_timbrado": result.fecha_timbrado.isoformat(),
        "sello": root.get("Sello"),
        "sello_sat": result.sello_sat,
        "no_certificado": root.get("NoCertificado"),
        "no_certificado_sat": result.no_certificado_sat,
        "rfc_prov_certif": result.rfc_prov_certif,
        "rfc_emisor": root.find("{http://www.sat.gob.mx/cfd/4}Emisor").get("Rfc"),
    }


def mark_valid(invoice: Invoice, result: StampResult, stamp: dict[str, Any]) -> None:
    invoice.uuid = result.uuid
    invoice.xml = result.xml
    invoice.status = "valid"
    invoice.error = None
    invoice.stamped_at = now_ms()
    invoice.last_balance = invoice.total if invoice.payment_method == "PPD" else Decimal(0)
    invoice.stamp = {"stamp_at": invoice.stamped_at // 1000, **stamp}
    invoice.search_text = f"|{result.uuid.lower()}{invoice.search_text}"


def error_of(exc: PacRejected) -> dict[str, Any]:
    details: list[Any] = list(exc.details)
    if isinstance(exc, RulesRejected):

        details = [detail(v.code, getattr(v, "field", None), v.message_en) for v in exc.violations]
    return {"code": exc.code, "message": exc.reason, "details": details}


def abandon(session: Session, invoice: Invoice) -> None:
    """A pending invoice whose request ended before its document was sealed: it never reached a PAC."""
    invoice.status = "failed"
    invoice.error = {"code": "not_sealed", "message": "The request that created this invoice ended before its "
                     "document was sealed; nothing was sent to a PAC, and the folio is skipped", "details": []}
    CreditRepository.from_session(session).refund(invoice.team_id)


def apply(session: Session, invoice: Invoice, outcome: Attempt, pac: PAC) -> str:
    """Record the attempt on the (locked, still pending) invoice; returns the new status."""
    invoice.pac = pac.name
    if outcome.result is not None and outcome.stamp is not None:
        mark_valid(invoice, outcome.result, outcome.stamp)
        return "valid"
    if outcome.rejected is not None:
        invoice.status = "failed"
        invoice.error = error_of(outcome.rejected)
        CreditRepository.from_session(session).refund(invoice.team_id)
        return "failed"
    invoice.error = {"code": "pac_unavailable", "message": outcome.unavailable or "the PAC did not answer",
                     "details": [], "attempts": invoice.attempts}
    return "pending"

