"""Benchmark: milliseconds per page to render a CFDI 4.0 PDF with timbre.cfdi.pdf.

Renders a stamped invoice (built with satcfdi, read back from XML like a stored CFDI) many times
in one process, each time with a new UUID, and reports the time per page. The first render, which loads fonts
and catalogs, is reported separately and excluded from the percentiles.

    .venv/bin/python bench/pdf.py                  # one-page invoice, 8 items
    .venv/bin/python bench/pdf.py --items 120      # multi-page
    .venv/bin/python bench/pdf.py --logo --watermark "SIN VALIDEZ FISCAL - PRUEBA"

The last line printed is one JSON object: p50_ms and p99_ms (wall clock) per page, plus min_ms,
cpu_p50_ms (process CPU time, less sensitive to other load on the machine) and the scenario.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cfdi.pdf import pdf_samples
from timbre.cfdi.pdf import Branding, render_cfdi_pdf

_PAGE = re.compile(rb"/Type\s*/Page\b")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="timed renders (default 200)")
    parser.add_argument("--items", type=int, default=8, help="conceptos in the invoice (default 8)")
    parser.add_argument("--logo", action="store_true", help="brand with a PNG logo")
    parser.add_argument("--watermark", default=None, help="diagonal watermark text")
    parser.add_argument("--lang", choices=("es", "en"), default="es")
    parser.add_argument("--out", type=Path, default=None, help="also write one rendered PDF here")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.items < 1:
        parser.error("--runs and --items must be positive")

    conceptos = [
        pdf_samples.concepto(
            f"Servicio profesional número {i + 1}: consultoría y soporte de facturación electrónica",
            cantidad=str(i % 4 + 1),
            valor_unitario="1250.50",
            retencion_isr=i % 3 == 0,
        )
        for i in range(args.items)
    ]
    cfdi = pdf_samples.parsed(pdf_samples.ingreso(conceptos))
    branding = Branding(
        legal_name="Escuela Kemper Urgate SA de CV",
        alias="Kemper Academy",
        primary_color="#0B5D4B",
        secondary_color="#F2A33A",
        logo=pdf_samples.png(600, 200) if args.logo else None,
    )

    tfd = dict(cfdi["Complemento"]["TimbreFiscalDigital"])

    def render() -> bytes:
        # A new UUID each time, as in real use: nothing keyed on the document can be cached.
        document = dict(cfdi)
        document["Complemento"] = {"TimbreFiscalDigital": {**tfd, "UUID": str(uuid.uuid4()).upper()}}
        return render_cfdi_pdf(document, branding, watermark=args.watermark, lang=args.lang)

    start = time.perf_counter()
    pdf = render()
    first_ms = (time.perf_counter() - start) * 1000
    pages = len(_PAGE.findall(pdf))
    if args.out:
        args.out.write_bytes(pdf)

    per_page: list[float] = []
    cpu_per_page: list[float] = []
    for _ in range(args.runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        render()
        per_page.append((time.perf_counter() - start) * 1000 / pages)
        cpu_per_page.append((time.process_time() - cpu_start) * 1000 / pages)
    per_page.sort()
    p50 = statistics.median(per_page)
    p99 = per_page[min(len(per_page) - 1, round(0.99 * (len(per_page) - 1)))]

    print(f"items={args.items} pages={pages} bytes={len(pdf)} first_render_ms={first_ms:.1f}")
    print(f"per page: p50={p50:.2f} ms  p99={p99:.2f} ms  min={per_page[0]:.2f} ms  over {args.runs} runs")
    print(
        json.dumps(
            {
                "p50_ms": round(p50, 3),
                "p99_ms": round(p99, 3),
                "min_ms": round(per_page[0], 3),
                "cpu_p50_ms": round(statistics.median(cpu_per_page), 3),
                "pages": pages,
                "items": args.items,
                "runs": args.runs,
                "logo": args.logo,
                "watermark": bool(args.watermark),
                "first_render_ms": round(first_ms, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
