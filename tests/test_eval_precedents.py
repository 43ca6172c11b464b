"""eval/precedents.py's held-out choice of the cut-off, on made-up tallies."""

from eval.precedents import CUTOFFS, MODES, best_cutoff, held_out

EXACT = {(mode, c): (2, 2, 2) for mode in MODES for c in [*CUTOFFS, None]}  # every cut-off right


def test_the_cut_off_is_chosen_on_the_rest_and_scored_on_the_one_left_out():
    assert best_cutoff("question", [EXACT]) == max(CUTOFFS)  # a tie: the higher
    strict = {**EXACT, ("question", max(CUTOFFS)): (0, 0, 2)}  # the highest finds nothing
    assert best_cutoff("question", [EXACT, strict]) == CUTOFFS[-2]
    result = held_out({"a": [EXACT], "b": [strict]})
    assert result["question"]["leave_one_council_out"]["a"] == \
        {"cutoff": CUTOFFS[-2], "precision": 1.0, "recall": 1.0, "shown": 2}  # chosen on b
    assert result["question"]["leave_one_council_out"]["b"]["recall"] == 0.0  # 0.60, from a
    assert result["passage"]["shipped_in_sample"] == {"precision": 1.0, "recall": 1.0, "shown": 4}
