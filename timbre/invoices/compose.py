"""A create request → everything the CFDI needs: Emisor (the team and its CSD), Receptor (the client),
Conceptos (`items`), and the header fields with their defaults from the team's settings.

Defaults: `use` from the request, else the client's, else the team's (`G03` income / `G02` egress; the
generic RFCs take `S01`; CFDI 3.3's `P01` is written as its 4.0 successor `S01`); `payment_method` from
the request, else from `automation_type`, else PUE; `payment_form` 99 for PPD; the series from the
request (`series` or `invoice_config.serie`), else the team's default series, else `A` (income) or `E`
(egress); with `force_series` the team's series always wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import husos, store
from timbre.cfdi.build import CfdiRelacionados, ComprobanteInput, Emisor, InformacionGlobal, Receptor
from timbre.cfdi.certs import Credential
from timbre.cfdi.taxes import DocumentAmounts, summarize
from timbre.clients.resolver import assert_ready_for_invoicing, resolve_client
from timbre.clients.rfc import GENERICO_EXTRANJERO, GENERICO_NACIONAL
from timbre.clients.validation import normalize_country
from timbre.errors import BadRequest, ValidationFailed
from timbre.invoices.items import ItemResolver, Line
from timbre.invoices.schemas import InvoiceInput
from timbre.invoices.validation import raise_for
from timbre.models import Client, Csd
from timbre.sat import test_csd
from timbre.sat.service import sat_connection

InvoiceType = Literal["I", "E"]
PUBLICO_GENERAL_ID = "client_publico_general"
PUBLICO_GENERAL_NAME = "PUBLICO EN GENERAL"
DOCUMENT_TYPE = {"I": "income", "E": "credit_note"}
DEFAULT_SERIES = {"I": "A", "E": "E"}
DEFAULT_USE = {"I": "G03", "E": "G02"}
_PPD_AUTOMATIONS = {"ppd_invoice_and_complement"}
MAX_AMOUNT = Decimal(10) ** 18  # SAT's t_Importe: at most 18 integer digits


@dataclass
class Composed:
    """A validated-for-shape request, resolved: ready for SAT's rules, a folio and the seal."""

    invoice_type: InvoiceType
    series: str
    folio_number: int | None
    data: ComprobanteInput
    amounts: DocumentAmounts
    lines: list[Line]
    client: Client | None
    client_snapshot: dict[str, Any]
    csd: Csd | None
    credential: Credential | None
    automation_type: str
    pdf_notes: str | None
    related: list[dict[str, Any]] = field(default_factory=list)
    global_: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)  # accepted, but unchecked (e.g. no FIX rate known)
    # the document as SAT's rules and the trial passed it (`create.check_rules`), sealed once its folio is known
    written: etree._Element | None = None

    @property
    def document_type(self) -> str:
        return DOCUMENT_TYPE[self.invoice_type]

    def with_folio(self, folio: int) -> ComprobanteInput:
        return replace(self.data, serie=self.series, folio=str(folio))

    def tax_field(self, concept: int, kind: str, index: int) -> str:
        return self.lines[concept].tax_field(kind, index) if concept < len(self.lines) else "items"


def check_team(auth: AuthContext) -> None:
    team = auth.team
    problems = [{"field": f"team.{name}", "message": f"team.{name}: required to issue a CFDI (PUT /teams/{team.id})"}
                for name, value in (("tax_id", team.tax_id), ("tax_system", team.tax_system),
                                    ("address.zip", (team.address or {}).get("zip")))
                if not value]
    if problems:
        raise ValidationFailed("Team is not ready for invoicing", "; ".join(p["message"] for p in problems),
                               details=problems)


def active_csd(session: Session, auth: AuthContext, secret: str, *,
               required: bool = True) -> tuple[Csd | None, Credential | None]:
    csd = sat_connection.active(session, auth.team_id, auth.livemode)
    if csd is None and not required:
        return None, None
    if csd is None and not auth.livemode:
        csd = test_csd.provision(session, secret, auth.team)  # check_team ran: RFC, régimen and zip are set
    if csd is None:
        mode = "live" if auth.livemode else "test"
        raise BadRequest("SAT connection required",
                         f"Upload the team's CSD for {mode} mode first (POST /v2/teams/{auth.team_id}/sat-connection"
                         + ("" if auth.livemode else "; `timbre test-csd` makes one for test mode") + ")",
                         code="csd_required")
    return csd, sat_connection.credential(secret, csd)


# SAT's receiver code for client problems the clients module reports without one.
_RECEIVER_CODES = {"tax_id": "CFDI40143", "address.zip": "CFDI40147", "address.country": "CFDI40150"}


def _client_error(exc: ValidationFailed) -> ValidationFailed:
    """The resolver's details name client fields (`tax_system`); name them as request fields and carry
    SAT's receiver code where there is one."""
    details = []
    for d in exc.details if isinstance(exc.details, list) else []:
        name = d.get("field") or ""
        path = name if name.startswith("client") else f"client.{name}" if name else "client"
        item = {**d, "field": path, "message": f"{path}: {str(d.get('message', '')).split(': ', 1)[-1]}"}
        code = d.get("sat_code") or _RECEIVER_CODES.get(name)
        if name == "address.country" and d.get("rule") == "required":
            code = "CFDI40153"
        if code:
            item["code"] = code
        details.append(item)
    return ValidationFailed(exc.message, exc.detail, code=exc.error_code, details=details or exc.details)


def _receiver(session: Session, auth: AuthContext, body: InvoiceInput) -> Client | None:
    if body.client.id == PUBLICO_GENERAL_ID:
        return None
    try:
        client = resolve_client(session, auth, body.client)
    except ValidationFailed as exc:
        raise _client_error(exc) from None
    try:
        assert_ready_for_invoicing(client)
    except ValidationFailed as exc:
        # The invoice always has a use (request, client, team or default), checked on the document with
        # SAT's rule CFDI40161: a client without one, or whose default use its régimen does not allow, is fine.
        kept = [d for d in exc.details or [] if d.get("field") != "use"]
        if kept:
            raise _client_error(ValidationFailed(exc.message, "; ".join(str(d.get("message")) for d in kept),
                                                 details=kept)) from None
    return client


def _use(body: InvoiceInput, client: Client | None, generic: bool, settings: dict[str, Any], kind: str) -> str:
    use = body.use or (None if generic else (client.use if client else None) or settings.get("use"))
    use = use or ("S01" if generic else DEFAULT_USE[kind])
    return "S01" if use == "P01" else use


def _receptor(client: Client | None, use: str, lugar: str) -> Receptor:
    if client is None:
        return Receptor(GENERICO_NACIONAL, PUBLICO_GENERAL_NAME, lugar, "616", use)
    address = client.address or {}
    given = str(address.get("country") or "").strip()
    # An unknown country is written as given, so SAT's rule names it (CFDI40150) instead of it vanishing.
    country = (normalize_country(given) or given.upper()) if given else None
    rfc = (client.tax_id or "").upper()
    foreign = rfc == GENERICO_EXTRANJERO or (country not in (None, "MEX") and rfc in ("", GENERICO_EXTRANJERO))
    if foreign:
        return Receptor(GENERICO_EXTRANJERO, client.legal_name or client.name or "", lugar,
                        client.tax_system or "616", use, residencia_fiscal=country,
                        num_reg_id_trib=client.foreign_tax_id)
    zip_code = lugar if rfc == GENERICO_NACIONAL else str(address.get("zip") or "")
    return Receptor(rfc, client.legal_name or "", zip_code, client.tax_system or "", use)


def _series(body: InvoiceInput, settings: dict[str, Any], kind: InvoiceType) -> str:
    configured = ((settings.get("default_series") or {}).get(DOCUMENT_TYPE[kind]) or {}).get("serie")
    asked = body.series or (body.invoice_config.serie if body.invoice_config else None)
    if settings.get("force_series") and configured:
        return str(configured)
    return asked or configured or DEFAULT_SERIES[kind]


def compose(session: Session, auth: AuthContext, secret: str, body: InvoiceInput, kind: InvoiceType, *,
            require_csd: bool = True) -> Composed:
    """Resolve and price the request; 400 listing every problem that is not a SAT rule of the document.
    Without `require_csd` (dry runs) a team without a CSD is composed with its own legal name."""
    if body.complements:
        raise BadRequest("Unsupported complement", "Custom complements are not supported: SAT's schema only "
                         "allows the complements Timbre builds itself", code="unsupported_complement")
    check_team(auth)
    csd, credential = active_csd(session, auth, secret, required=require_csd)
    team, settings = auth.team, auth.team.settings or {}
    lugar = str((team.address or {})["zip"])
    client = _receiver(session, auth, body)
    generic = client is None or (client.tax_id or "").upper() in (GENERICO_NACIONAL, GENERICO_EXTRANJERO)
    use = _use(body, client, generic, settings, kind)

    currency = body.currency
    decimals = store.moneda_decimales(currency) if store.exists("c_Moneda", currency) else 2
    resolver = ItemResolver(session, auth, currency, decimals)
    lines = resolver.resolve(body.items)
    payment_method = (body.payment_method or ("PPD" if body.automation_type in _PPD_AUTOMATIONS else "PUE")).upper()
    payment_form = body.payment_form or ("99" if payment_method == "PPD" else None)
    problems = list(resolver.problems)
    if payment_form is None:
        problems.append({"field": "payment_form", "message": "payment_form: required for PUE invoices "
                                                             "(c_FormaPago, e.g. 03 transfer)"})
    raise_for(problems, "Invalid invoice")

    exchange_rate = body.exchange_rate
    if currency == "MXN" and exchange_rate is not None and exchange_rate == 1:
        exchange_rate = None  # SAT accepts "1" for MXN; writing nothing says the same
    receptor = _receptor(client, use, lugar)
    data = ComprobanteInput(
        tipo_de_comprobante=kind,
        emisor=Emisor(team.tax_id or "", (credential.razon_social if credential else "") or team.legal_name,
                      team.tax_system or ""),
        receptor=receptor,
        lugar_expedicion=lugar,
        fecha=husos.local_now(lugar),
        conceptos=[line.concepto() for line in lines],
        moneda=currency,
        decimals=decimals,
        tipo_cambio=exchange_rate,
        forma_pago=payment_form,
        metodo_pago=payment_method,
        exportacion=body.exports,
        confirmacion=body.confirmation,
        informacion_global=InformacionGlobal(body.global_.periodicity, body.global_.months, body.global_.year)
        if body.global_ else None,
        cfdi_relacionados=[CfdiRelacionados(r.relationship, r.documents) for r in body.related_documents],
    )
    amounts = summarize([line.amounts for line in lines if line.amounts is not None], decimals)
    snapshot = {
        "id": client.id if client else PUBLICO_GENERAL_ID,
        "name": (client.name or client.legal_name) if client else PUBLICO_GENERAL_NAME,
        "legal_name": receptor.nombre,
        "tax_id": receptor.rfc,
        "tax_system": receptor.regimen_fiscal,
        "email": client.email if client else None,
        "zip": receptor.domicilio_fiscal,
        "country": receptor.residencia_fiscal or "MEX",
        "foreign_tax_id": receptor.num_reg_id_trib,
        "use": use,
    }
    return Composed(
        invoice_type=kind, series=_series(body, settings, kind), folio_number=body.folio_number, data=data,
        amounts=amounts, lines=lines, client=client, client_snapshot=snapshot, csd=csd, credential=credential,
        automation_type=body.automation_type or "none",
        pdf_notes=body.invoice_pdf_notes or settings.get("invoice_pdf_notes"),
        related=[{"relationship": r.relationship, "documents": list(r.documents)} for r in body.related_documents],
        global_=body.global_.model_dump() if body.global_ else None,
    )
