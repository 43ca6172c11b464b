"""eval/precedents.py's held-out choice of the cut-off, on made-up candidates."""

from eval.precedents import LIMIT, Candidate, Run, held_out, report, shown


def run(gold_relevance: float, other_relevance: float) -> Run:
    """One question: its answering paper 'x' and an unrelated one 'y'."""
    return Run((Candidate("x", gold_relevance, 2.0), Candidate("y", other_relevance, 1.0)),
               gold=frozenset({"x"}), shipped=frozenset({"x", "y"}))


def test_a_cut_off_is_chosen_on_one_council_and_scored_on_the_other():
    groups = {"a": [run(0.60, 0.40)], "b": [run(0.50, 0.30)]}
    absolute = held_out(groups, "absolute")
    # Chosen on b (the strictest value that keeps its answer, 0.50), right for a ...
    assert absolute["leave_one_council_out"]["a"] == \
        {"value": 0.5, "precision": 1.0, "recall": 1.0, "shown": 1}
    # ... but a's 0.60 hides b's answer.
    assert absolute["leave_one_council_out"]["b"] == \
        {"value": 0.6, "precision": 0.0, "recall": 0.0, "shown": 0}
    assert absolute["k_fold"] == {"precision": 1.0, "recall": 0.5, "shown": 1,
                                  "values": [0.5, 0.6]}
    assert absolute["in_sample"] == {"value": 0.5, "precision": 1.0, "recall": 1.0, "shown": 2}
    relative = held_out(groups, "relative to the best")  # each council's own best paper
    assert relative["k_fold"]["recall"] == 1.0 and relative["k_fold"]["precision"] == 1.0


def test_the_report_puts_the_shipped_cut_off_beside_none():
    found = report({"a": [{"question": run(0.6, 0.4), "passage": run(0.9, 0.5)}]})
    assert found["passage"]["in_sample"]["a"]["shipped"] == \
        {"precision": 0.5, "recall": 1.0, "shown": 2}


def test_papers_shown_are_the_best_scored_that_pass():
    many = tuple(Candidate(f"d{i}", 0.5, float(i)) for i in range(LIMIT + 2))
    assert shown(many, lambda best: 0.5) == {f"d{i}" for i in range(2, LIMIT + 2)}
    assert shown(many, lambda best: 0.51) == set()
