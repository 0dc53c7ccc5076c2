"""CfdiRelacionados: the relationship key, and (with a lookup) that related CFDI exist."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._common import in_catalog
from ._doc import Doc
from ._values import nodes, strings, text
from .context import RuleContext
from .registry import Finding, rule

UUID_PATTERN = re.compile(r"^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$")


@rule("CFDI40137")
def tipo_relacion_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, group in enumerate(nodes(doc.get("CfdiRelacionados"))):
        tipo = text(group.get("TipoRelacion"))
        if not in_catalog("c_TipoRelacion", tipo, doc.on):
            yield Finding(
                f"TipoRelacion {tipo!r} is not a c_TipoRelacion key in force.",
                field=f"related_documents[{i}].relationship",
                location=f"CfdiRelacionados[{i}].TipoRelacion",
            )


# SAT's matrix has no code for these; CFDI40999 ("no clasificado") carries them with a precise
# English message. They only run for documents the caller's lookup knows.
@rule("CFDI40999")
def related_uuids_exist(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, group in enumerate(nodes(doc.get("CfdiRelacionados"))):
        for j, uuid in enumerate(strings(group.get("CfdiRelacionado"))):
            where = {
                "field": f"related_documents[{i}].documents[{j}]",
                "location": f"CfdiRelacionados[{i}].CfdiRelacionado[{j}]",
            }
            if not UUID_PATTERN.match(uuid):
                yield Finding(f"Related CFDI {uuid!r} is not a UUID (8-4-4-4-12 hexadecimal digits).", **where)
                continue
            related = ctx.related(uuid) if ctx.related is not None else None
            if related is not None and not related.exists:
                yield Finding(f"Related CFDI {uuid} does not exist or was cancelled.", **where)
