"""In-process floor of the CFDI core: tax engine + build + seal + XSD validation + sandbox stamp.

One process, one core, no database, no HTTP: the most documents per second Timbre could ever
stamp per core. Prints the per-step cost and, as its last line, one JSON object
{"floor_per_s": ..., "steps_ms": {...}, "documents": N}.

    .venv/bin/python bench/cfdi_floor.py [--documents 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from timbre.cfdi import build, taxes, testca, xsd
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac.sandbox import MEXICO_TZ, SandboxPAC
from timbre.cfdi.seal import seal

IVA16 = taxes.Tax("IVA", Decimal("0.16"))


def typical_input(fecha: datetime) -> build.ComprobanteInput:
    """A typical 2-item invoice: consulting hours and a license, IVA 16%."""
    items = [taxes.Item(Decimal(10), Decimal("1000.00"), taxes=[IVA16]),
             taxes.Item(Decimal(1), Decimal("5000.00"), discount=Decimal("250.00"), taxes=[IVA16])]
    amounts = taxes.compute(items, 2)
    return build.ComprobanteInput(
        tipo_de_comprobante="I",
        emisor=build.Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        receptor=build.Receptor("XIQB891116QE4", "BERENICE XIMO QUEZADA", "36257", "612", "G03"),
        lugar_expedicion="42501",
        fecha=fecha,
        conceptos=[
            build.Concepto("80141503", "HUR", "Consulting services", amounts.conceptos[0], unidad="Hora"),
            build.Concepto("81111500", "H87", "Software license", amounts.conceptos[1]),
        ],
        serie="A",
        folio="1",
        forma_pago="03",
        metodo_pago="PUE",
    )


def timed(label: str, totals: dict[str, float], step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    totals[label] = totals.get(label, 0.0) + time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=2000, help="documents to stamp (default 2000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed documents first (default 50)")
    args = parser.parse_args()

    files = testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE")
    credential = Credential.load(files.cer, files.key, files.password)
    pac = SandboxPAC()
    fecha = datetime.now(UTC).astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0)

    def one(totals: dict[str, float]) -> None:
        data = timed("taxes+build", totals, lambda: typical_input(fecha))
        comprobante = timed("taxes+build", totals, lambda: build.build(data))
        xml = timed("seal", totals, lambda: seal(comprobante, credential))
        errors = timed("xsd", totals, lambda: xsd.validate(xml))
        if errors:
            raise SystemExit(f"invalid document: {errors}")
        timed("sandbox_stamp", totals, lambda: pac.stamp(xml))

    for _ in range(args.warmup):
        one({})
    totals: dict[str, float] = {}
    started = time.perf_counter()
    for _ in range(args.documents):
        one(totals)
    elapsed = time.perf_counter() - started

    per_doc_ms = {label: round(seconds / args.documents * 1000, 4) for label, seconds in totals.items()}
    floor = args.documents / elapsed
    print(f"documents: {args.documents} in {elapsed:.2f} s, one core")
    for label, ms in per_doc_ms.items():
        print(f"  {label:<14} {ms:8.4f} ms")
    print(f"  {'total':<14} {elapsed / args.documents * 1000:8.4f} ms  ->  {floor:.0f} docs/s")
    print(json.dumps({"floor_per_s": round(floor, 1), "steps_ms": per_doc_ms, "documents": args.documents}))


if __name__ == "__main__":
    main()
