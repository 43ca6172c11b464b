"""Re-score the top passages with what a reader looks for, no model needed.

A passage that answers usually has one sentence holding most of the question's
rare words, and holds the kind of thing asked for: a number for "how many",
a date for "when", a name or role for "who".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import paper_context
from .index import Index
from .retrieve import Ranked, SearchSettings, date_closeness
from .terms import ROLES, content_terms, plain_words, sentences
from .types import Chunk, Query

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


FEATURES = ("fused", "rank", "dense", "coverage", "sentence", "answer_type", "role",
            "role_heading", "in_period", "length", "absent")
HAND_WEIGHTS = {"coverage": "coverage_weight", "answer_type": "answer_type_weight",
                "role": "role_weight"}
RANKER_FILE = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranker:
    """Linear ranking weights over FEATURES and a logistic calibration of the first passage's
    probability of answering, both fitted by eval/train_ranker.py; `threshold` is the
    probability below which the answer abstains."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    calibration: tuple[float, ...]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = RANKER_FILE) -> Ranker:
        data = json.loads(path.read_text())
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features: run eval/train_ranker.py")
        return cls(FEATURES, tuple(data["weights"]), tuple(data["calibration"]),
                   float(data["bias"]), float(data["threshold"]))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The ranking scores, shifted so the best one is its probability of answering."""
        score = rows @ np.array(self.weights)
        logit = calibration_input(rows, score) @ np.array(self.calibration) + self.bias
        return score - score.max() + 1 / (1 + np.exp(-logit))


def calibration_input(rows: np.ndarray, score: np.ndarray) -> np.ndarray:
    """What the first passage's probability is read from: its ranking score, its lead over
    the second, and its own features."""
    best = int(np.argmax(score))
    second = np.partition(score, -2)[-2] if len(score) > 1 else score[best]
    return np.r_[score[best], score[best] - second, rows[best]]


def rerank(index: Index, ranked: Ranked, query: Query, weights: dict[str, float],
           settings: SearchSettings, ranker: Ranker | None = None,
           unlocked: bool = False) -> Ranked:
    """Re-score the top passages: by the learned ranker when one is given, else by hand
    weights on term coverage, answer type and the role they play."""
    depth = settings.rerank_depth
    ids, scores = ranked.ids[:depth], ranked.scores[:depth]
    if not len(ids):
        return ranked
    chunks = index.chunks(ids.tolist())
    rows = candidate_features(index, ranked, query, weights, chunks, unlocked,
                              learned=ranker is not None)
    if ranker is not None:
        rescored = ranker.scores(rows)
    else:
        rescored = hand_scores(rows, settings)
    order = np.argsort(-rescored, kind="stable")
    floor = rescored.min() - (1 if ranker is not None else 0)  # below every re-scored one
    rest = ranked.scores[depth:] / scores[0] * max(floor, 0) + min(floor, 0)
    return Ranked(np.concatenate([ids[order], ranked.ids[depth:]]),
                  np.concatenate([rescored[order], rest]), ranked.similarity,
                  {c.chunk_id: c for c in chunks})


def hand_scores(rows: np.ndarray, settings: SearchSettings) -> np.ndarray:
    """The hand-weighted re-score: the fused score raised by coverage, answer type, role."""
    column = {name: rows[:, FEATURES.index(name)] for name in HAND_WEIGHTS}
    return rows[:, 0] * (1 + sum(getattr(settings, w) * column[f]
                                 for f, w in HAND_WEIGHTS.items()))


def candidate_features(index: Index, ranked: Ranked, query: Query, weights: dict[str, float],
                       chunks: list[Chunk], unlocked: bool = False,
                       learned: bool = True) -> np.ndarray:
    """One row of FEATURES per candidate, in ranked order; without `learned`, the sentence
    feature (the costliest, which the hand weights do not use) is left 0."""
    top = ranked.scores[0]
    idf = index.idf(unlocked)
    absent = coverage(weights, {t for t in weights if t not in idf})  # a topic the papers lack
    rows = []
    for rank, (chunk, score) in enumerate(zip(chunks, ranked.scores)):
        doc = index.docs[chunk.doc_id]
        found = passage_features(weights, query.text, chunk, paper_context(doc))
        in_period = date_closeness(doc.date, query) if query.date_label else 0.0
        rows.append([score / top, 1 / (1 + rank), ranked.similarity.get(chunk.chunk_id, 0.0),
                     found["coverage"], best_sentence(weights, chunk.text) if learned else 0.0,
                     found["answer_type"],
                     found["role"], float(found["role"] == 1.0), in_period,
                     min(len(chunk.text.split()) / 140, 2.0), absent])
    return np.array(rows, dtype=float)


def best_sentence(weights: dict[str, float], text: str) -> float:
    """The share of the question's weight that one sentence of the passage holds."""
    return max((coverage(weights, set(content_terms(text[a:b]))) for a, b in sentences(text)),
               default=0.0)


def term_weights(index: Index, question: str, unlocked: bool = False) -> dict[str, float]:
    """Question terms weighted by rarity among the papers the session may see; a term they
    never use weighs most."""
    idf = index.idf(unlocked)
    unseen = max(idf.values(), default=1.0) + 1.0
    return {term: idf.get(term, unseen) for term in set(content_terms(question))}


def coverage(weights: dict[str, float], terms: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def passage_features(weights: dict[str, float], question: str, chunk: Chunk,
                     context: str = "") -> dict[str, float]:
    """Coverage, answer type and role of one passage. Terms its paper's `context` (title,
    committee, date...) already holds weigh less in coverage: every passage of the paper
    shares them, so they say little about which passage answers. A passage under a heading
    of the role asked for ("Areas for improvement" for "what did they recommend") covers
    the words that ask for it."""
    shared = set(content_terms(context))
    local = {t: w * (CONTEXT_SHARE if t in shared else 1.0) for t, w in weights.items()}
    role = role_match(question, chunk.section, chunk.text)
    terms = set(content_terms(chunk.text))
    if role == 1.0:
        terms |= {t for t in weights if any(a.search(t) for a in ASKS_FOR_ROLE.values())}
    return {"coverage": coverage(local, terms),
            "answer_type": answer_type_match(question, weights, chunk.text), "role": role}


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
