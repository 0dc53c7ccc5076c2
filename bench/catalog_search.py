"""Benchmark SAT key search (timbre.catalogs.search): index build time and per-query latency.

Runs every query of a fixed, realistic set (whole words, words typed letter by letter,
multi-word phrases, codes and code prefixes) against c_ClaveProdServ and c_ClaveUnidad,
``--repeat`` times each, and prints median / p90 / p99 / max per-query latency.
The last line of output is one JSON object with the numbers.

    .venv/bin/python bench/catalog_search.py [--repeat 20] [--limit 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence

from timbre.catalogs import search, store

PRODUCT_QUERIES = [
    "consultoria", "servicios de consultoria", "consultoría de negocios", "asesoria fiscal",
    "software", "desarrollo de software", "licencia de software", "mantenimiento de software",
    "renta de oficinas", "arrendamiento", "computadora", "laptop", "impresora", "papeleria",
    "limpieza", "servicios de limpieza", "transporte de carga", "flete", "mensajeria",
    "publicidad", "marketing digital", "capacitacion", "curso", "honorarios medicos",
    "alimentos", "comida", "restaurante", "hotel", "hospedaje", "gasolina", "diesel",
    "cafe", "agua", "cerveza", "ropa", "zapatos", "muebles", "pintura", "cemento", "acero",
    "c", "co", "con", "cons", "consu", "consul", "consult", "consulto", "consultor",
    "s", "se", "ser", "serv", "servi", "servic", "servici", "servicio", "servicios",
    "8", "80", "801", "8010", "80101", "801015", "8010150", "80101500", "01010101",
    "43232408", "organico fresco", "servicios profesionales", "diseño grafico",
    "reparacion de automoviles", "seguro", "intereses", "comision", "donativo",
]  # fmt: skip
UNIT_QUERIES = [
    "pieza", "servicio", "unidad de servicio", "actividad", "kilogramo", "kg", "kilo", "hora",
    "dia", "mes", "año", "caja", "paquete", "litro", "metro", "metro cuadrado", "tonelada",
    "H87", "E48", "ACT", "KGM", "HUR", "XBX", "h", "h8", "p", "pi", "pie", "piez",
]  # fmt: skip


def _time_queries(
    fn: Callable[[str, int], Sequence[search.Match]], queries: Sequence[str], repeat: int, limit: int
) -> list[float]:
    samples = []
    for _ in range(repeat):
        for query in queries:
            start = time.perf_counter()
            fn(query, limit)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _percentile(sorted_samples: Sequence[float], fraction: float) -> float:
    return sorted_samples[min(len(sorted_samples) - 1, int(fraction * len(sorted_samples)))]


def _summary(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 4),
        "p90_ms": round(_percentile(ordered, 0.90), 4),
        "p99_ms": round(_percentile(ordered, 0.99), 4),
        "max_ms": round(ordered[-1], 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the query set (default 20)")
    parser.add_argument("--limit", type=int, default=10, help="results per query (default 10)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    store.rows("c_ClaveProdServ")
    store.rows("c_ClaveUnidad")
    load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    search.warm()
    build_ms = (time.perf_counter() - start) * 1000

    products = _time_queries(search.search_product_keys, PRODUCT_QUERIES, args.repeat, args.limit)
    units = _time_queries(search.search_unit_keys, UNIT_QUERIES, args.repeat, args.limit)
    result = {
        "catalog_load_ms": round(load_ms, 1),
        "index_build_ms": round(build_ms, 1),
        "queries": len(products) + len(units),
        "products": _summary(products),
        "units": _summary(units),
        "all": _summary(products + units),
    }
    print(f"catalog load (c_ClaveProdServ + c_ClaveUnidad): {result['catalog_load_ms']} ms")
    print(f"index build (both):                              {result['index_build_ms']} ms")
    for name in ("products", "units", "all"):
        numbers = result[name]
        assert isinstance(numbers, dict)
        print(
            f"{name:9} median {numbers['median_ms']:.3f} ms  p90 {numbers['p90_ms']:.3f} ms  "
            f"p99 {numbers['p99_ms']:.3f} ms  max {numbers['max_ms']:.3f} ms"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
