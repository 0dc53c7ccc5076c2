"""A `POST /retentions` body → the Retenciones 2.0 it states (`RetencionInput`), with the team as issuer
and the client as receiver; amounts converted to MXN when given in another currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import store
from timbre.cfdi.certs import Credential
from timbre.cfdi.money import round_money
from timbre.cfdi.retenciones import complementos as comp
from timbre.cfdi.retenciones.build import EmisorRet, ImpRetenido, ReceptorRet, RetencionInput, fecha_expedicion
from timbre.clients.resolver import resolve_client
from timbre.clients.rfc import GENERICO_EXTRANJERO
from timbre.clients.validation import normalize_country
from timbre.errors import ValidationFailed
from timbre.invoices.compose import active_csd, check_team
from timbre.models import Client, Csd
from timbre.retentions.schemas import RetentionInput

TAX_CODES = {"ISR": "001", "IVA": "002", "IEPS": "003"}
TAX_NAMES = {code: name for name, code in TAX_CODES.items()}


@dataclass
class ComposedRetention:
    data: RetencionInput
    client: Client
    csd: Csd | None
    credential: Credential | None
    currency: str
    exchange_rate: Decimal | None


def _receptor(client: Client) -> ReceptorRet:
    address = client.address or {}
    country = normalize_country(str(address.get("country") or "")) or "MEX"
    rfc = (client.tax_id or "").upper()
    name = client.legal_name or client.name or ""
    if rfc == GENERICO_EXTRANJERO or country != "MEX":
        return ReceptorRet("Extranjero", name, num_reg_id_trib=client.foreign_tax_id or None)
    missing = [f for f, v in (("tax_id", rfc), ("legal_name", client.legal_name), ("address.zip", address.get("zip")))
               if not v]
    if missing:
        details = [{"field": f"client.{f}", "message": f"client.{f}: required for a retention's receiver"}
                   for f in missing]
        raise ValidationFailed("Invalid retention", "; ".join(d["message"] for d in details), details=details)
    return ReceptorRet("Nacional", name, rfc=rfc, domicilio_fiscal=str(address.get("zip")))


def _converter(body: RetentionInput) -> tuple[str, Decimal | None]:
    currency = body.currency.upper()
    problems = []
    if not store.exists("c_Moneda", currency):
        problems.append({"field": "currency", "message": f"currency: {currency!r} is not an ISO 4217 code"})
    elif currency != "MXN" and body.exchange_rate is None:
        problems.append({"field": "exchange_rate", "message": "exchange_rate: required when currency is not MXN"})
    if problems:
        raise ValidationFailed("Invalid retention", "; ".join(p["message"] for p in problems), details=problems)
    return currency, (None if currency == "MXN" else body.exchange_rate)


@dataclass(frozen=True, slots=True)
class ToMXN:
    """Amounts of the request → MXN cents (half-even), at `rate` MXN per unit (None: already MXN)."""

    rate: Decimal | None

    def __call__(self, value: Decimal) -> Decimal:
        return round_money(value * self.rate if self.rate is not None else value, 2)

    def opt(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else self(value)


def _complementos(body: RetentionInput, mxn: ToMXN, imps: list[ImpRetenido]) -> dict[str, Any]:
    opt = mxn.opt
    found: dict[str, Any] = {}
    if (p := body.platform_services) is not None:
        servicios = [comp.ServicioPlataforma(
            forma_pago=s.payment_form, tipo=s.service_type, subtipo=s.service_subtype, fecha=s.service_date,
            precio_sin_iva=mxn(s.price_without_tax), tasa_iva=s.tax_rate, comision=opt(s.commission),
            rfc_tercero_autorizado=s.third_party_tax_id, contribucion=opt(s.government_contribution),
            entidad_contribucion=s.contribution_state) for s in p.services]
        retained = {code: sum((i.monto for i in imps if i.impuesto == code), Decimal(0)) for code in ("001", "002")}
        found["ServiciosPlataformasTecnologicas"] = comp.plataformas(
            p.periodicity, servicios, iva_retenido=retained["002"], isr_retenido=retained["001"])
    if (d := body.dividends) is not None:
        found["Dividendos"] = comp.dividendos(
            tipo=d.dividend_type, isr_mexico=mxn(d.isr_mexico), isr_extranjero=mxn(d.isr_abroad),
            tipo_sociedad=d.company_type, ret_extranjero=opt(d.retained_abroad),
            isr_acreditable_nacional=opt(d.isr_creditable_national), acumulable_nacional=opt(d.accumulable_national),
            acumulable_extranjero=opt(d.accumulable_abroad))
    if (i := body.interest) is not None:
        found["Intereses"] = comp.intereses(sistema_financiero=i.financial_system, retirados=i.withdrawn,
                                            derivados=i.derivatives, nominal=mxn(i.nominal), real=mxn(i.real),
                                            perdida=mxn(i.loss))
    if (f := body.foreign_payments) is not None:
        found["Pagosaextranjeros"] = comp.pagos_extranjeros(
            beneficiario_efectivo=f.is_effective_beneficiary, concepto=f.concept, descripcion=f.description,
            pais=(f.country or "").upper() or None, rfc=(f.tax_id or "").upper() or None,
            curp=(f.curp or "").upper() or None, nombre=f.name)
    if (s := body.share_sale) is not None:
        found["EnajenaciondeAcciones"] = comp.enajenacion_acciones(contrato=s.contract, ganancia=mxn(s.gain),
                                                                   perdida=mxn(s.loss))
    return found


def compose(session: Session, auth: AuthContext, secret: str, body: RetentionInput, *,
            require_csd: bool = True) -> ComposedRetention:
    """Resolve the request; 400 for what is not a guide rule (team, client, currency)."""
    check_team(auth)
    csd, credential = active_csd(session, auth, secret, required=require_csd)
    currency, rate = _converter(body)
    mxn = ToMXN(rate)
    client = resolve_client(session, auth, body.client)
    receptor = _receptor(client)
    team = auth.team
    lugar = str((team.address or {})["zip"])
    imps = [ImpRetenido(impuesto=TAX_CODES.get(t.tax.upper(), t.tax.upper()), base=mxn.opt(t.base),
                        monto=mxn(t.amount), tipo_pago=t.payment_type) for t in body.taxes]
    data = RetencionInput(
        cve_retenc=body.retention_key.zfill(2), desc_retenc=body.description, lugar_exp_retenc=lugar,
        fecha_exp=fecha_expedicion(lugar),
        emisor=EmisorRet(team.tax_id or "", (credential.razon_social if credential else "") or team.legal_name or "",
                         team.tax_system or ""),
        receptor=receptor, mes_ini=f"{body.period_start:02d}", mes_fin=f"{body.period_end:02d}",
        ejercicio=str(body.period_year), monto_tot_operacion=mxn(body.total_operation),
        monto_tot_exent=mxn(body.total_exempt), imp_retenidos=imps,
        complementos=_complementos(body, mxn, imps),
    )
    return ComposedRetention(data=data, client=client, csd=csd, credential=credential, currency=currency,
                             exchange_rate=rate)
