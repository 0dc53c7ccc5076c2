"""The words of SAT's descriptions and of a query: normalized (accents and case aside), stopwords dropped,
synonyms, and how well a query word matches a description's words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

WHOLE_WORD = 10.0
WORD_PREFIX = 6.0
SYNONYM_PENALTY = 1.0
MIN_PREFIX = 2  # a one-letter word matches too much to be useful

STOPWORDS = frozenset(
    {"a", "al", "con", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o", "para", "por", "sin",
     "su", "sus", "u", "un", "una", "y"}
)  # fmt: skip

# Words people type that SAT's descriptions phrase differently. Values are matched like a
# typed word (whole word or prefix) but rank SYNONYM_PENALTY below it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "consultoria": ("asesoria", "asesoramiento"),
    "consulting": ("consultoria", "asesoria", "asesoramiento"),
    "asesoria": ("asesoramiento", "consultoria"),
    "renta": ("arrendamiento", "alquiler"),
    "alquiler": ("arrendamiento",),
    "arrendamiento": ("alquiler",),
    "computadora": ("computador", "computadores"),
    "computadoras": ("computadores",),
    "laptop": ("notebook",),
    "celular": ("telefonos", "movil"),
    "marketing": ("mercadeo", "publicidad"),
    "hosting": ("hospedaje",),
    "app": ("aplicaciones",),
    "curso": ("capacitacion", "formacion"),
    "capacitacion": ("formacion", "entrenamiento"),
    "envio": ("mensajeria", "paqueteria"),
    "flete": ("fletes",),
}

WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lowercase ASCII without accents: "Consultoría Ñ" -> "consultoria n".

    Other non-ASCII characters are dropped; only letters and digits matter to the search.
    """
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")


def content_words(text: str) -> list[str]:
    """A description's words that count (normalized, no stopwords), in order."""
    return [w for w in WORD.findall(normalize(text)) if w not in STOPWORDS]


def position_bonus(position: int) -> float:
    """Up to 3.5 points for a word early in the description."""
    return 0.5 * (7 - min(position, 7))


def word_score(words: Sequence[str], term: str, penalty: float) -> float:
    """Best score of ``term`` against a description's content words; 0 when absent."""
    best = 0.0
    for position, word in enumerate(words):
        if word.startswith(term):
            base = WHOLE_WORD if word == term else WORD_PREFIX
            best = max(best, base - penalty + position_bonus(position))
    return best


def query_terms(query: str) -> list[str]:
    """The words of a query that are searched for."""
    words = WORD.findall(normalize(query))
    # Stopwords carry no meaning here; a trailing one ("servicios de") is a phrase being typed.
    content = [w for w in words if w not in STOPWORDS]
    return [w for w in content if len(w) >= MIN_PREFIX or w.isdigit()]
