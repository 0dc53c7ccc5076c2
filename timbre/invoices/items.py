"""Invoice items → Conceptos: a service by id, a service found by SKU, or inline fields, completed with
the team's defaults (product key, unit key, unit name, description, taxes), then priced by the tax engine.

Problems are collected for every item, so one 400 lists them all; where SAT has a code for the problem
(a discount above the amount, a taxable base of zero) the detail carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import store
from timbre.cfdi import taxes as engine
from timbre.cfdi.build import ACuentaTerceros, Concepto
from timbre.cfdi.money import round_money
from timbre.errors import NotFound, TimbreError
from timbre.invoices.repository import ServiceLookupRepository
from timbre.invoices.schemas import ItemInput
from timbre.invoices.validation import detail
from timbre.models import Service
from timbre.services.schemas import ServiceCreate
from timbre.services.service import service as service_service


@dataclass
class Line:
    """A resolved item: what the Concepto and the stored snapshot are made of."""

    index: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    product_key: str
    unit_key: str
    unit_name: str | None
    sku: str | None
    taxability: str | None
    taxes: list[dict[str, Any]]
    service_id: str | None = None
    third_party: dict[str, str] | None = None
    amounts: engine.ConceptAmounts | None = field(default=None, repr=False)

    def tax_objects(self) -> list[engine.Tax]:
        return [engine.make_tax(t["type"], None if t["factor"] == "Exento" else Decimal(str(t.get("rate") or 0)),
                                factor=t["factor"], withholding=bool(t.get("withholding")),
                                inclusive=bool(t.get("inclusive"))) for t in self.taxes]

    def concepto(self) -> Concepto:
        assert self.amounts is not None
        third = self.third_party
        return Concepto(
            clave_prod_serv=self.product_key, clave_unidad=self.unit_key, descripcion=self.description,
            amounts=self.amounts, unidad=(self.unit_name or None) and self.unit_name[:20],  # XSD: 20 characters
            no_identificacion=self.sku[:100] if self.sku else None,
            a_cuenta_terceros=None if third is None else ACuentaTerceros(
                rfc=third["tax_id"], nombre=third["legal_name"], regimen_fiscal=third["tax_system"],
                domicilio_fiscal=third["zip"]),
        )

    def tax_field(self, kind: str, position: int) -> str:
        """The request field of the `position`-th Traslado or Retencion of this concept."""
        wanted = kind == "Retenciones"
        seen = -1
        for i, tax in enumerate(self.taxes):
            if bool(tax.get("withholding")) == wanted:
                seen += 1
                if seen == position:
                    return f"items[{self.index}].taxes[{i}]"
        return f"items[{self.index}].taxes"


def _tax_dict(tax: Any) -> dict[str, Any]:
    data = tax.model_dump(mode="json") if hasattr(tax, "model_dump") else dict(tax)
    data["rate"] = str(data.get("rate") if data.get("rate") is not None else "0")
    data.setdefault("factor", "Tasa")
    data.setdefault("withholding", False)
    data.setdefault("inclusive", False)
    return data


def default_taxes(settings: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    """The team's default taxes for an item that names none (USD items may have their own)."""
    usd = settings.get("taxes_usd")
    if currency == "USD" and isinstance(usd, list):
        return [_tax_dict(t) for t in usd]
    transferred = [_tax_dict(t) for t in settings.get("taxes") or []]
    withheld = [{**_tax_dict(t), "withholding": True} for t in settings.get("withholding_taxes") or []]
    return transferred + withheld


SNAPSHOT_INPUT_KEYS = ("description", "quantity", "unit_price", "discount", "sku", "product_key", "unit_key",
                       "unit_name", "taxability", "taxes", "third_party")


def item_inputs(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored item snapshots (of a payment, a receipt) as item inputs that price to the same amounts."""
    return [{k: item[k] for k in SNAPSHOT_INPUT_KEYS if item.get(k) is not None} for item in snapshots]


class ItemResolver:
    def __init__(self, session: Session, auth: AuthContext, currency: str, decimals: int, *,
                 create_services: bool = True) -> None:
        """`create_services=False` (pricing a draft to show it) never stores a service a `search` would
        create: such an item is priced from its own fields."""
        self.create_services = create_services
        self.session = session
        self.auth = auth
        self.settings: dict[str, Any] = auth.team.settings or {}
        self.currency = currency
        self.decimals = decimals
        self.problems: list[dict[str, Any]] = []

    def _problem(self, field: str, message: str) -> None:
        self.problems.append({"field": field, "message": f"{field}: {message}"})

    def resolve(self, items: list[ItemInput]) -> list[Line]:
        lines = [line for i, item in enumerate(items) if (line := self._line(i, item)) is not None]
        for line in lines:
            self._price(line)
        return lines

    def _service(self, i: int, item: ItemInput) -> Service | None:
        if item.id:
            try:
                return service_service.get(self.session, self.auth, item.id)
            except NotFound:
                self._problem(f"items[{i}].id", f"service {item.id!r} does not exist")
                return None
        if item.search is None:
            return None
        search = item.search
        if search.on_key == "id":
            try:
                return service_service.get(self.session, self.auth, search.on_value)
            except NotFound:
                found: list[Service] = []
        else:
            found = list(ServiceLookupRepository.from_session(self.session).by_sku(
                self.auth.team_id, self.auth.livemode, search.on_value))
        if len(found) > 1:
            self._problem(f"items[{i}].search", f"several services have {search.on_key} {search.on_value!r}")
            return None
        if found:
            return found[0]
        if not self.create_services:
            return None
        if not search.auto_create:
            self._problem(f"items[{i}].search", f"no service has {search.on_key} {search.on_value!r} "
                                                "(set search.auto_create to create it)")
            return None
        return self._create_service(i, item)

    def _create_service(self, i: int, item: ItemInput) -> Service | None:
        if not item.description or item.unit_price is None:
            self._problem(f"items[{i}]", "description and unit_price are required to create the service")
            return None
        body = ServiceCreate(description=item.description, sku=item.sku or (item.search.on_value if item.search
                                                                            else None),
                             product_key=item.product_key, unit_key=item.unit_key, unit_name=item.unit_name,
                             unit_price=item.unit_price, taxes=item.taxes or [])
        try:
            return service_service.create(self.session, self.auth, body)
        except TimbreError as exc:
            for d in exc.details if isinstance(exc.details, list) else []:
                self._problem(f"items[{i}].{d.get('field')}", str(d.get("message", exc.detail)))
            if not isinstance(exc.details, list):
                self._problem(f"items[{i}]", exc.detail)
            return None

    def _line(self, i: int, item: ItemInput) -> Line | None:
        before = len(self.problems)
        service = self._service(i, item)
        if len(self.problems) > before:
            return None
        s = self.settings
        description = item.description or (service.description if service else None) or s.get("default_description")
        unit_price = item.unit_price if item.unit_price is not None else (service.unit_price if service else None)
        product_key = item.product_key or (service.product_key if service else None) or s.get("product_key")
        unit_key = item.unit_key or (service.unit_key if service else None) or s.get("unit_key")
        for name, value in (("description", description), ("unit_price", unit_price),
                            ("product_key", product_key), ("unit_key", unit_key)):
            if value is None or value == "":
                self._problem(f"items[{i}].{name}", "required (or give a service, or set a team default)")
        if len(self.problems) > before:
            return None
        assert description is not None and unit_price is not None and product_key and unit_key
        if item.taxes is not None:
            taxes = [_tax_dict(t) for t in item.taxes]
        elif service is not None:
            taxes = [_tax_dict(t) for t in service.taxes or []]
        else:
            taxes = default_taxes(s, self.currency)
        self._unique_taxes(i, taxes)
        unit_name = item.unit_name or (service.unit_name if service else None) or s.get("unit_name")
        if not unit_name:
            row = store.get("c_ClaveUnidad", unit_key)
            unit_name = row["name"] if row else None
        return Line(index=i, description=description, quantity=item.quantity, unit_price=unit_price,
                    discount=item.discount, product_key=product_key, unit_key=unit_key, unit_name=unit_name,
                    sku=item.sku or (service.sku if service else None), taxability=item.taxability, taxes=taxes,
                    service_id=service.id if service else None,
                    third_party=item.third_party.model_dump() if item.third_party else None)

    def _unique_taxes(self, i: int, taxes: list[dict[str, Any]]) -> None:
        """A tax (type, factor and rate, transferred or withheld) appears at most once per item: a CFDI
        cannot carry the same Traslado twice in one concept (SAT's PACs refuse it)."""
        seen: dict[tuple[Any, ...], int] = {}
        for j, tax in enumerate(taxes):
            rate = None if tax["factor"] == "Exento" else Decimal(str(tax.get("rate") or 0))
            key = (bool(tax.get("withholding")), str(tax["type"]).upper(), tax["factor"], rate)
            if key in seen:
                kind = "withheld" if key[0] else "transferred"
                self._problem(f"items[{i}].taxes[{j}]", f"repeats taxes[{seen[key]}] ({key[1]} {key[2]} "
                              f"{'' if rate is None else rate} {kind}): an item carries each tax once")
            seen.setdefault(key, j)

    def _price(self, line: Line) -> None:
        try:
            self._priced(line)
        except ArithmeticError:  # beyond what Decimal's 28 digits (and any CFDI amount) can hold
            self._problem(f"items[{line.index}]", "quantity × unit_price is too large for a CFDI amount")

    def _priced(self, line: Line) -> None:
        path = f"items[{line.index}]"
        objects = line.tax_objects()
        if not any(t.inclusive for t in objects):
            importe = round_money(line.quantity * line.unit_price, self.decimals)
            descuento = round_money(line.discount, self.decimals)
            if descuento > importe:
                self.problems.append(detail("CFDI40169", f"{path}.discount",
                                            f"The discount {descuento} is greater than the item's amount {importe}."))
                return
            if importe - descuento <= 0:
                for j, tax in enumerate(objects):
                    if tax.factor != "Cuota":
                        code = "CFDI40181" if tax.withholding else "CFDI40174"
                        self.problems.append(detail(code, f"{path}.taxes[{j}]",
                                                    "The taxable base (amount minus discount) is zero."))
                        return
        try:
            line.amounts = engine.compute_concept(
                engine.Item(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
                            taxes=objects, objeto_imp=line.taxability), self.decimals)
        except engine.TaxInputError as exc:
            self._problem(path, str(exc))

    @staticmethod
    def snapshot(line: Line) -> dict[str, Any]:
        """The item as stored with the invoice (exact decimals as strings)."""
        amounts = line.amounts
        assert amounts is not None
        transferred = sum((t.importe or Decimal(0) for t in amounts.traslados), Decimal(0))
        withheld = sum((t.importe or Decimal(0) for t in amounts.retenciones), Decimal(0))
        subtotal = amounts.importe - (amounts.descuento or Decimal(0))
        return {
            "id": f"item_{line.index + 1}",
            "service_id": line.service_id,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "unit_price_before_taxes": str(amounts.valor_unitario),
            "discount": str(amounts.descuento or Decimal(0)),
            "amount": str(amounts.importe),
            "subtotal": str(subtotal),
            "total": str(subtotal + transferred - withheld),
            "sku": line.sku,
            "product_key": line.product_key,
            "unit_key": line.unit_key,
            "unit_name": line.unit_name,
            "taxability": amounts.objeto_imp,
            "taxes": line.taxes,
            "third_party": line.third_party,
        }
