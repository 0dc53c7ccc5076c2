"""The receiver's fiscal data as typed on our pages (self-invoice, customer portal), checked exactly as SAT
checks a CFDI receiver (`clients.validation`), with one Spanish message per field, shown next to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from timbre.catalogs import store
from timbre.clients.validation import ClientFiscalData, validate_client
from timbre.schemas import Email

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)

# The rules of `clients.validation` and `clients.rfc`, in the words a customer reads.
MESSAGES = {
    "rfc_length": "El RFC tiene 12 caracteres (empresa) o 13 (persona física).",
    "rfc_name_part": "Las primeras letras del RFC no son válidas.",
    "rfc_date": "La fecha dentro del RFC (AAMMDD) no existe.",
    "rfc_homoclave": "La homoclave (los 3 últimos caracteres) no es válida.",
    "rfc_check_digit": "El RFC tiene un error: el dígito verificador no coincide. Cópialo de tu Constancia de "
                       "Situación Fiscal.",
    "publico_en_general_needs_generic_rfc": "«PUBLICO EN GENERAL» solo se usa con el RFC XAXX010101000.",
    "tax_system_retired": "Ese régimen ya no existe en CFDI 4.0.",
    "tax_system_unknown": "Elige un régimen fiscal del catálogo del SAT.",
    "tax_system_not_in_force": "Ese régimen fiscal no está vigente.",
    "tax_system_not_for_generic_rfc": "Con un RFC genérico el régimen es 616 (Sin obligaciones fiscales).",
    "tax_system_not_for_persona": "Ese régimen no corresponde al tipo de persona de tu RFC.",
    "use_retired": "Ese uso de CFDI ya no existe en CFDI 4.0.",
    "use_unknown": "Elige un uso de CFDI del catálogo del SAT.",
    "use_not_in_force": "Ese uso de CFDI no está vigente.",
    "use_not_for_persona": "Ese uso de CFDI no corresponde al tipo de persona de tu RFC.",
    "use_not_for_tax_system": "Ese uso de CFDI no se permite con el régimen fiscal elegido.",
    "zip_format": "El código postal tiene 5 dígitos.",
    "zip_unknown": "Ese código postal no existe en el catálogo del SAT.",
}
REQUIRED = {"tax_id": "Escribe tu RFC.", "legal_name": "Escribe tu nombre o razón social como aparece en tu "
            "Constancia de Situación Fiscal.", "tax_system": "Elige tu régimen fiscal.",
            "zip": "Escribe el código postal de tu domicilio fiscal.", "use": "Elige el uso del CFDI."}
FIELD_OF = {"address.zip": "zip"}


@dataclass(frozen=True, slots=True)
class FiscalForm:
    tax_id: str
    legal_name: str
    tax_system: str
    zip: str
    use: str
    email: str

    @classmethod
    def from_form(cls, form: Any) -> FiscalForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:300] if isinstance(value, str) else ""

        return cls(tax_id=text("tax_id").upper(), legal_name=" ".join(text("legal_name").upper().split()),
                   tax_system=text("tax_system"), zip=text("zip"), use=text("use"), email=text("email").lower())

    def as_dict(self) -> dict[str, str]:
        return {"tax_id": self.tax_id, "legal_name": self.legal_name, "tax_system": self.tax_system,
                "zip": self.zip, "use": self.use, "email": self.email}


def errors(form: FiscalForm, allowed_uses: list[str] | None) -> dict[str, str]:
    """Field → the first problem in Spanish (empty when the data can receive a CFDI)."""
    found: dict[str, str] = {name: message for name, message in REQUIRED.items() if not getattr(form, name)}
    report = validate_client(ClientFiscalData(legal_name=form.legal_name or None, tax_id=form.tax_id or None,
                                              tax_system=form.tax_system or None, use=form.use or None,
                                              zip=form.zip or None, country="MEX"))
    for issue in report.issues:
        if issue.rule == "legal_name_includes_capital_regime":
            continue  # removed from the name when the client is stored, as CFDI 4.0 asks
        name = FIELD_OF.get(issue.field, issue.field)
        found.setdefault(name, MESSAGES.get(issue.rule, "Este dato no es válido para el SAT."))
    if form.use and allowed_uses and form.use not in allowed_uses:
        found["use"] = "Este comercio no permite ese uso de CFDI en la autofacturación."
    if form.email:
        try:
            _EMAIL.validate_python(form.email)
        except ValidationError:
            found["email"] = "Escribe un correo electrónico válido."
    else:
        found["email"] = "Escribe el correo al que enviaremos tu factura."
    return found


def regimenes() -> list[tuple[str, str]]:
    return [(str(r["code"]), str(r["description"])) for r in store.rows("c_RegimenFiscal")
            if store.in_force("c_RegimenFiscal", str(r["code"]))]


def usos(allowed: list[str] | None) -> list[tuple[str, str]]:
    rows = [(str(r["code"]), str(r["description"])) for r in store.rows("c_UsoCFDI")
            if store.in_force("c_UsoCFDI", str(r["code"]))]
    return [row for row in rows if not allowed or row[0] in allowed]
