"""Re-score the top passages with what a reader looks for, no model needed.

A passage that answers usually has one sentence holding most of the question's
rare words, and holds the kind of thing asked for: a number for "how many",
a date for "when", a name or role for "who".
"""

from __future__ import annotations

import re

import numpy as np

from .chunking import paper_context
from .index import Index
from .retrieve import Ranked, SearchSettings
from .terms import ROLES, content_terms, plain_words, sentences
from .types import Chunk

NUMBER = re.compile(r"\b\d[\d,.]*%?|\b(one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"eleven|twelve|twenty|hundred|thousand|half|quarter)\b", re.IGNORECASE)
DATE = re.compile(r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|"
                  r"september|october|november|december)\b", re.IGNORECASE)
NAME = re.compile(  # a person or an organisation: "Jean Daintith", "CT Plus", "Stephen Hart HMI"
    r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'’][A-Z]?[a-z]+)?"
    r"(?: (?:[A-Z]\. )?(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'’][A-Z]?[a-z]+)?)+\b")
CONTEXT_SHARE = 0.3  # the weight, in coverage, of a question term the paper's context holds
ASKS = [  # what kind of answer the question asks for
    (re.compile(r"\b(how (many|much|long|often|quickly)|what (proportion|percentage|number|"
                r"age|amount|rate)|how old)\b", re.IGNORECASE), NUMBER),
    (re.compile(r"\b(when|what date|which (year|month|date))\b", re.IGNORECASE), DATE),
    (re.compile(r"\b(who|whom|whose)\b", re.IGNORECASE), NAME),
]
# The questions that look for each role a passage can play (see terms.ROLES).
ASKS_FOR_ROLE = {
    "recommendations": re.compile(r"\b(recommend\w*|areas? for (improvement|development)|should|"
                                  r"improv\w*|what (action|steps))\b", re.IGNORECASE),
    "decisions": re.compile(r"\b(resolv\w*|decid\w*|decision|agree\w*|action was)\b",
                            re.IGNORECASE),
    "authorship": re.compile(r"\b(who (wrote|authored|prepared|chairs|leads)|author|written by|"
                             r"chair(ed)? by|who is the [\w ]*chair)\b", re.IGNORECASE),
    "schedule": re.compile(r"\b(next meeting|meeting after|when (is|will) the (next )?"
                           r"(committee|meeting))", re.IGNORECASE),
}


def rerank(index: Index, ranked: Ranked, question: str, weights: dict[str, float],
           settings: SearchSettings) -> Ranked:
    """Re-score the top passages by term coverage, answer type and the role they play."""
    depth = settings.rerank_depth
    ids, scores = ranked.ids[:depth], ranked.scores[:depth]
    if not len(ids):
        return ranked
    chunks = index.chunks(ids.tolist())
    rescored = []
    for chunk, score in zip(chunks, scores):
        context = paper_context(index.docs[chunk.doc_id])
        features = passage_features(weights, question, chunk, context)
        rescored.append(score / scores[0] * (1 + settings.coverage_weight * features["coverage"]
                                             + settings.answer_type_weight * features["answer_type"]
                                             + settings.role_weight * features["role"]))
    order = np.argsort(-np.array(rescored), kind="stable")
    rest = ranked.scores[depth:] / scores[0]  # below every re-scored one: boosts only raise
    return Ranked(np.concatenate([ids[order], ranked.ids[depth:]]),
                  np.concatenate([np.array(rescored)[order], rest]), ranked.similarity,
                  {c.chunk_id: c for c in chunks})


def term_weights(index: Index, question: str) -> dict[str, float]:
    """Question terms weighted by rarity; a term the papers never use weighs most."""
    idf = index.idf()
    unseen = max(idf.values(), default=1.0) + 1.0
    return {term: idf.get(term, unseen) for term in set(content_terms(question))}


def coverage(weights: dict[str, float], terms: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def passage_features(weights: dict[str, float], question: str, chunk: Chunk,
                     context: str = "") -> dict[str, float]:
    """Coverage, answer type and role of one passage. Terms its paper's `context` (title,
    committee, date...) already holds weigh less in coverage: every passage of the paper
    shares them, so they say little about which passage answers."""
    shared = set(content_terms(context))
    local = {t: w * (CONTEXT_SHARE if t in shared else 1.0) for t, w in weights.items()}
    return {"coverage": coverage(local, set(content_terms(chunk.text))),
            "answer_type": answer_type_match(question, weights, chunk.text),
            "role": role_match(question, chunk.section, chunk.text)}


def role_match(question: str, section: str, text: str) -> float:
    """Whether the passage plays the role the question looks for (a recommendation, a decision...):
    1 when its section is of that kind, 0.5 when only its text shows it."""
    best = 0.0
    for role, asks in ASKS_FOR_ROLE.items():
        if asks.search(question):
            plays = ROLES[role]
            best = max(best, 1.0 if plays.search(section) else 0.5 if plays.search(text) else 0.0)
    return best


def answer_type_match(question: str, weights: dict[str, float], text: str) -> float:
    """1 when a sentence on the question's subject holds what is asked for (a number for
    "how many", a date for "when", a name for "who") that the question does not already say."""
    for asks, pattern in ASKS:
        if asks.search(question):
            break
    else:
        return 0.0
    asked = set(plain_words(question))
    scored = [(coverage(weights, set(content_terms(text[s:e]))), text[s:e])
              for s, e in sentences(text)]
    best = max((score for score, _ in scored), default=0.0)
    for score, sentence in scored:
        if score > 0 and score >= best * 0.5:
            found = (m.group() for m in pattern.finditer(sentence))
            if any(not set(plain_words(f)) <= asked for f in found):
                return 1.0
    return 0.0
