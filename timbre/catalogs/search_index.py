"""The in-memory index of one catalog's keys: for every word prefix, the keys whose description has a word starting
with it, pre-sorted by score (see `search`)."""

from __future__ import annotations

import bisect
import heapq
import sys
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from timbre.catalogs.search_words import (
    MIN_PREFIX,
    SYNONYM_PENALTY,
    SYNONYMS,
    WHOLE_WORD,
    WORD_PREFIX,
    content_words,
    position_bonus,
    query_terms,
    word_score,
)


@dataclass(frozen=True, slots=True)
class Match:
    """A key found, with its description and score."""

    code: str
    description: str
    score: float


EXACT_CODE = 100.0
CODE_PREFIX = 50.0
# Score and key share one 32-bit slot: (SCORE_MAX - centi-score) << DOC_BITS | key index.
_DOC_BITS = 17
_DOC_MASK = (1 << _DOC_BITS) - 1
_SCORE_MAX = (1 << (32 - _DOC_BITS)) - 1


class Index:
    """One catalog's keys and descriptions, searchable by code and by words."""

    def __init__(self, entries: Sequence[tuple[str, str]], prior: Callable[[str, Sequence[str]], float]) -> None:
        if len(entries) > _DOC_MASK:
            raise ValueError(f"{len(entries)} keys do not fit the {_DOC_BITS}-bit postings")
        self.codes = [code for code, _ in entries]
        self.descriptions = [text for _, text in entries]
        # Interned: 245k word occurrences share 17k distinct strings.
        self.words = [tuple(map(sys.intern, content_words(text))) for text in self.descriptions]
        upper = [code if code.isupper() or code.isdigit() else code.upper() for code in self.codes]
        order = sorted(range(len(entries)), key=upper.__getitem__)
        self.sorted_codes = [upper[i] for i in order]
        self.sorted_docs = order
        self.postings = self._postings(prior)

    def _postings(self, prior: Callable[[str, Sequence[str]], float]) -> dict[str, array[int]]:
        # One pass over the (key, word) pairs gives each word its keys, scored as a prefix
        # match and as a whole-word match. A prefix found in one word only (most of the 63k)
        # reuses that word's array; the others merge their words' arrays.
        whole_extra = round((WHOLE_WORD - WORD_PREFIX) * 100) << _DOC_BITS
        longest = max(map(len, self.words), default=0)
        bonuses = [round((WORD_PREFIX + position_bonus(p)) * 100) for p in range(longest)]
        by_word: dict[str, list[int]] = {}
        for doc, words in enumerate(self.words):
            base = _SCORE_MAX - round(prior(self.codes[doc], words) * 100)
            seen: set[str] = set()
            for position, word in enumerate(words):
                if word in seen:  # only its first (best-scored) position counts
                    continue
                seen.add(word)
                key = (base - bonuses[position]) << _DOC_BITS | doc
                keys = by_word.get(word)
                if keys is None:
                    keys = by_word[word] = []
                keys.append(key)
        as_prefix = {word: array("I", sorted(keys)) for word, keys in by_word.items()}
        as_whole = {word: array("I", [key - whole_extra for key in keys]) for word, keys in as_prefix.items()}
        words_of: dict[str, list[str]] = {}
        for word in by_word:
            for end in range(MIN_PREFIX, len(word) + 1):
                words_of.setdefault(word[:end], []).append(word)
        postings: dict[str, array[int]] = {}
        for prefix, sharing in words_of.items():
            if len(sharing) == 1:
                postings[prefix] = (as_whole if sharing[0] == prefix else as_prefix)[sharing[0]]
                continue
            merged: list[int] = []
            for word in sharing:
                merged.extend((as_whole if word == prefix else as_prefix)[word])
            merged.sort()
            # A key can appear twice under one prefix (two of its words share it); readers
            # skip repeats, which costs less than removing them here.
            postings[prefix] = array("I", merged)
        return postings

    @staticmethod
    def _unpack(key: int) -> tuple[float, int]:
        return (_SCORE_MAX - (key >> _DOC_BITS)) / 100, key & _DOC_MASK

    def code_matches(self, query: str, limit: int) -> list[tuple[float, int]]:
        code = query.strip().upper()
        if not code or not code.isalnum():
            return []
        start = bisect.bisect_left(self.sorted_codes, code)
        found: list[tuple[float, int]] = []
        for i in range(start, min(start + limit, len(self.sorted_codes))):
            candidate = self.sorted_codes[i]
            if not candidate.startswith(code):
                break
            found.append((EXACT_CODE if candidate == code else CODE_PREFIX, self.sorted_docs[i]))
        return found

    def word_matches(self, query: str, limit: int) -> list[tuple[float, int]]:
        terms = query_terms(query)
        if not terms:
            return []
        groups = [self._alternatives(term) for term in terms]
        if any(not group for group in groups):
            return []
        if len(groups) == 1:
            return self._single(groups[0], limit)
        # Walk the rarest term's candidates; check the other terms on each description.
        groups.sort(key=lambda group: sum(len(keys) for _, _, keys in group))
        first, rest = groups[0], groups[1:]
        scores: dict[int, float] = {}
        for _, penalty, keys in first:
            for key in keys:
                score, doc = self._unpack(key)
                score -= penalty
                if score > scores.get(doc, 0.0):
                    scores[doc] = score
        ranked: list[tuple[float, int]] = []
        for doc, score in scores.items():
            words = self.words[doc]
            total = score
            for group in rest:
                part = max(word_score(words, term, penalty) for term, penalty, _ in group)
                if not part:
                    break
                total += part
            else:
                ranked.append((total, doc))
        return heapq.nsmallest(limit, ranked, key=lambda item: (-item[0], self.codes[item[1]]))

    def _alternatives(self, term: str) -> list[tuple[str, float, array[int]]]:
        options = [(term, 0.0)] + [(syn, SYNONYM_PENALTY) for syn in SYNONYMS.get(term, ())]
        found = []
        for option, penalty in options:
            keys = self.postings.get(option)
            if keys is not None:
                found.append((option, penalty, keys))
        return found

    def _single(self, group: list[tuple[str, float, array[int]]], limit: int) -> list[tuple[float, int]]:
        # Each list is sorted by score, so the best `limit` of the union are among the
        # first `limit` of each list.
        scores: dict[int, float] = {}
        for _, penalty, keys in group:
            taken: set[int] = set()
            for key in keys:
                score, doc = self._unpack(key)
                if doc in taken:
                    continue
                taken.add(doc)
                score -= penalty
                if score > scores.get(doc, 0.0):
                    scores[doc] = score
                if len(taken) == limit:
                    break
        ranked = [(score, doc) for doc, score in scores.items()]
        return heapq.nsmallest(limit, ranked, key=lambda item: (-item[0], self.codes[item[1]]))

    def search(self, query: str, limit: int) -> list[Match]:
        if limit <= 0 or not query.strip():
            return []
        found: dict[int, float] = {}
        for score, doc in self.code_matches(query, limit) + self.word_matches(query, limit):
            found[doc] = max(score, found.get(doc, 0.0))
        best = heapq.nsmallest(limit, found.items(), key=lambda item: (-item[1], self.codes[item[0]]))
        return [Match(self.codes[doc], self.descriptions[doc], round(score, 2)) for doc, score in best]
