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

from .index import Index
from .passage_arrays import PassageFeatures, Rows, spread
from .passage_features import DATE, NAME, NUMBER, ROLE_NAMES
from .retrieve import Ranked, SearchSettings, closeness
from .terms import content_terms, plain_words
from .types import Query

DATE_TERM = re.compile(  # a year, a day or a month, as content_terms stems them; not a street
    # number or a reference ("642 Princess Avenue ... in January 2013")
    r"^((?:19|20)\d\d|[12]?\d|3[01]|januari|februari|march|april|may|june|juli|august|septemb|"
    r"octob|novemb|decemb)$")
CONTEXT_SHARE = 0.3  # the weight, in coverage, of a question term the paper's context holds
ASKS = [  # what kind of answer the question asks for
    (re.compile(r"\b(how (many|much|long|often|quickly)|what (proportion|percentage|number|"
                r"age|amount|rate|share|fraction)|how old)\b", re.IGNORECASE), NUMBER),
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
    "votes": re.compile(r"\b(vot(e|ed|es|ing)|who (moved|proposed|seconded|supported|opposed)|"
                        r"seconded|unanimous\w*|sat out|recused|abstain\w*|"
                        r"(did|was) (it|the motion) (still )?(pass|carr|fail)\w*)\b",
                        re.IGNORECASE),
}


FEATURES = ("fused", "dense", "coverage", "sentence", "answer_type", "role",
            "role_heading", "in_period", "earlier", "length", "absent")
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
    rows = candidate_features(index, ranked, query, weights, ids, unlocked,
                              learned=ranker is not None)
    if ranker is not None:
        rescored = ranker.scores(rows)
    else:
        rescored = hand_scores(rows, settings)
    order = np.argsort(-rescored, kind="stable")
    floor = rescored.min() - (1 if ranker is not None else 0)  # below every re-scored one
    rest = ranked.scores[depth:] / scores[0] * max(floor, 0) + min(floor, 0)
    return Ranked(np.concatenate([ids[order], ranked.ids[depth:]]),
                  np.concatenate([rescored[order], rest]), ranked.similarity, ranked.loaded)


def hand_scores(rows: np.ndarray, settings: SearchSettings) -> np.ndarray:
    """The hand-weighted re-score: the fused score raised by coverage, answer type, role,
    and lowered for a passage about years before the question's."""
    column = {name: rows[:, FEATURES.index(name)] for name in (*HAND_WEIGHTS, "earlier")}
    raised = rows[:, 0] * (1 + sum(getattr(settings, w) * column[f]
                                   for f, w in HAND_WEIGHTS.items()))
    return raised * (1 - settings.earlier_penalty * column["earlier"])


def candidate_features(index: Index, ranked: Ranked, query: Query, weights: dict[str, float],
                       ids: np.ndarray, unlocked: bool = False,
                       learned: bool = True) -> np.ndarray:
    """One row of FEATURES per candidate `ids` (the first of ranked.ids), in ranked order,
    from the passages' stored features (rag/passage_features.py); without `learned`, the
    sentence feature (which the hand weights do not use) is left 0."""
    ids = np.asarray(ids, dtype=np.int64)
    n, idf = len(ids), index.idf(unlocked)
    absent = coverage(weights, {t for t in weights if t not in idf})  # a topic the papers lack
    dates = index.paper_codes.dates[index.chunk_doc[ids]]
    in_period = closeness(dates, query) if query.date_label else np.zeros(n)
    meetings_dated = bool((in_period == 1.0).any()) and not query.period_of_subject
    found = passage_scores(index.passages, ids, index.chunk_doc[ids], query.text,
                           subject_weights(weights, idf, meetings_dated), query.aliases)
    earlier = names_earlier_years(index.passages.latest_year[ids], query)
    return np.column_stack([
        ranked.scores[:n] / ranked.scores[0],
        [ranked.similarity.get(i, 0.0) for i in ids.tolist()], found["coverage"],
        found["sentence"] if learned else np.zeros(n), found["answer_type"], found["role"],
        (found["role"] == 1.0).astype(float), in_period, earlier,
        np.minimum(index.passages.lengths[ids, 0] / 140, 2.0), np.full(n, absent)])


def subject_weights(weights: dict[str, float], idf: dict[str, float],
                    meetings_dated: bool) -> dict[str, float]:
    """The question's terms that tell passages apart by subject: not a word no paper uses
    (every passage lacks it alike), nor, when `meetings_dated`, the words of the date (in_period
    and earlier weigh that). A date no candidate's paper falls in ("compared with August
    2014" in papers of 2016), or a period the matter is for ("vice chair for 2013"), is the
    subject's: a passage names it."""
    kept = {t: w for t, w in weights.items()
            if t in idf and not (meetings_dated and DATE_TERM.match(t))}
    return kept or weights


def names_earlier_years(latest: np.ndarray, query: Query) -> np.ndarray:
    """1 for a passage whose years all come before the question's period ("the 2009
    inspection" for "in 2011"). The year before counts as the period's own: financial years
    span two, and minutes report on the year before ("the year ending December 31, 2011").
    Later years do not count against a passage: papers look ahead (a term ending in 2015)."""
    if not query.date_label or query.date_from is None:
        return np.zeros(len(latest))
    return ((latest > 0) & (latest < query.date_from.year - 1)).astype(float)


def passage_scores(found: PassageFeatures, ids: np.ndarray, papers: np.ndarray, question: str,
                   weights: dict[str, float],
                   aliases: tuple[tuple[str, str], ...] = ()) -> dict[str, np.ndarray]:
    """Coverage, best sentence, answer type and role of passages `ids` (of papers `papers`).
    Terms their paper's context (title, committee, date...) holds weigh less in coverage:
    every passage of the paper shares them, so they say little about which passage answers.
    A passage under a heading of the role asked for ("Areas for improvement" for "what did
    they recommend") covers the words that ask for it; one holding the other form of an
    acronym the question uses (`aliases`) covers the question's form."""
    terms, w = list(weights), np.array(list(weights.values()), dtype=float)
    qids = found.term_ids(terms)
    local = w * np.where(found.context.member(papers, qids), CONTEXT_SHARE, 1.0)
    role = role_scores(question, found.roles[ids])
    role_terms = np.array([any(a.search(t) for a in ASKS_FOR_ROLE.values()) for t in terms],
                          dtype=bool).reshape(1, -1)
    given = (role == 1.0)[:, None] & role_terms
    forms = other_forms(found, terms, aliases)
    held = with_other_forms(found.terms, ids, found.terms.member(ids, qids), forms) | given
    sentences = sentence_scores(found, ids, qids, w, given, forms)
    best = best_of(sentences[2], sentences[1], len(ids))
    return {"coverage": covered(held, local, whole=w), "sentence": best, "role": role,
            "answer_type": answer_type(found, question, sentences, best)}


def covered(held: np.ndarray, weights: np.ndarray, whole: np.ndarray | None = None) -> np.ndarray:
    """coverage() per row of `held` (rows x terms): the share of the weights (one per term,
    or per row and term) of the terms a row holds, out of `whole` (one per term; default:
    the row's own weights), summed term by term in the weights' order, as coverage() sums
    them, so the figures are the same to the last bit."""
    w = np.broadcast_to(weights, held.shape)
    got, total = np.zeros(len(held)), np.zeros(len(held))
    for j in range(held.shape[1]):
        got += np.where(held[:, j], w[:, j], 0.0)
        total += w[:, j] if whole is None else whole[j]
    return np.divide(got, total, out=np.zeros(len(held)), where=total != 0)


def sentence_scores(found: PassageFeatures, ids: np.ndarray, qids: np.ndarray, w: np.ndarray,
                    given: np.ndarray | None = None, forms: tuple = ()) -> tuple[np.ndarray, ...]:
    """The sentence rows of passages `ids`, which of `ids` each belongs to, and each one's
    coverage of the weights `w` of the terms `qids`; `given` (passages x terms) marks terms
    every sentence of a passage holds (the words asking for the role its heading plays),
    `forms` the other forms of acronyms (other_forms)."""
    rows, owner = found.sentence_rows(ids)
    terms = found.sentence_terms
    held = with_other_forms(terms, rows, terms.member(rows, qids), forms)
    return rows, owner, covered(held if given is None else held | given[owner], w)


def other_forms(found: PassageFeatures, terms: list[str],
                aliases: tuple[tuple[str, str], ...]) -> tuple[tuple[list[int], np.ndarray], ...]:
    """For each form of an acronym the question uses ("Local Safeguarding Children Board"):
    the positions of its terms among `terms`, and the term ids of its other form ("lscb")."""
    out = []
    for used, other_form in aliases:
        both = (content_terms(used), content_terms(other_form))
        for mine, other in (both, both[::-1]):
            at = [j for j, t in enumerate(terms) if t in mine]
            if at and other:
                out.append((at, found.term_ids(sorted(set(other)))))
    return tuple(out)


def with_other_forms(sets: Rows, rows: np.ndarray, held: np.ndarray,
                     forms: tuple[tuple[list[int], np.ndarray], ...]) -> np.ndarray:
    """`held` (rows x terms), a row holding every term of an acronym's other form counting
    as holding the question's form."""
    for at, other in forms:
        held[:, at] |= sets.member(rows, other).all(axis=1)[:, None]
    return held


def best_of(scored: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """The best sentence score of each passage (0 for one without sentences)."""
    best = np.zeros(n)
    np.maximum.at(best, owner, scored)
    return best


def role_scores(question: str, roles: np.ndarray) -> np.ndarray:
    """Whether each passage plays the role the question looks for (a recommendation, a
    decision...): 1 when its section is of that kind, 0.5 when only its text shows it."""
    best = np.zeros(len(roles))
    for r, role in enumerate(ROLE_NAMES):
        if ASKS_FOR_ROLE[role].search(question):
            plays = np.where(roles & (1 << 2 * r), 1.0, np.where(roles & (2 << 2 * r), 0.5, 0.0))
            best = np.maximum(best, plays)
    return best


def answer_type(found: PassageFeatures, question: str, sentences: tuple[np.ndarray, ...],
                best: np.ndarray) -> np.ndarray:
    """1 when a sentence on the question's subject (scoring at least half the passage's best)
    holds what is asked for (a number for "how many", a date for "when", a name for "who")
    that the question does not already say; `sentences`: rows, owners and scores."""
    rows, owner, scored = sentences
    out = np.zeros(len(best))
    kind = next((i for i, (asks, _) in enumerate(ASKS) if asks.search(question)), None)
    if kind is None:
        return out
    eligible = (scored > 0) & (scored >= best[owner] * 0.5)
    matches, of = spread(found.answers[kind], rows[eligible])
    words, of_match = found.answer_words[kind].gather(matches)
    asked = np.zeros(len(found.plain_vocab), dtype=bool)
    asked[[found.plain_index[t] for t in set(plain_words(question))
           if t in found.plain_index]] = True
    new = np.zeros(len(matches), dtype=bool)
    np.logical_or.at(new, of_match, ~asked[words])  # a word of the match the question lacks
    says = np.zeros(int(eligible.sum()), dtype=bool)
    np.logical_or.at(says, of, new)
    out[owner[eligible][says]] = 1.0
    return out


def term_weights(index: Index, question: str, unlocked: bool = False) -> dict[str, float]:
    """Question terms weighted by rarity among the papers the session may see; a term they
    never use weighs most."""
    idf = index.idf(unlocked)
    unseen = max(idf.values(), default=1.0) + 1.0
    return {term: idf.get(term, unseen) for term in set(content_terms(question))}


def coverage(weights: dict[str, float], terms: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0
