"""The grader's inputs and weights are its own (grader trust): each solution in tests/grader/integrity/
is wrong and passed before, by changing its inputs where the worker did not look (.data, a numpy view:
no version bump), by writing into a tensor the grader then read its expected value from (the copy-back
of in-place changes), or by choosing the weights the multi-head attention reference was built from.

What stops them: the worker compares an argument's bytes before and after a call
(grader/worker.py: _content_watch); the grading process checks a reported change against its own
tensor, fails the check on any change the exercise's contract does not allow and puts the tensor back
before anything reads it (grader/remote.py: _write_back, undo_changes; grader/checking.py:
call_candidate); and multi-head attention is graded with weights the grader draws and loads into the
candidate's layers (grader/exercises/attention.py: drawn_weights, MultiHeadTask.bind).
"""
from __future__ import annotations

import math
import types
from pathlib import Path

import pytest
import torch

from qkv.grader import remote
from qkv.grader.worker import encode_tensor

INTEGRITY = Path(__file__).resolve().parent / "integrity"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"

INPUTS = "leaves its inputs unchanged"


def exercise_of(path: Path) -> str:
    return path.stem.partition("__")[0]


def failed(result) -> dict[str, dict]:
    return {c["name"]: c for c in result["checks"] if not c["passed"] and not c.get("skipped")}


# --- 1. in-place changes the version counter does not see -----------------------------------------------

@pytest.mark.parametrize("name", ["regularization.l1_l2_step__inplace_via_data", "masking.padding_mask__inplace_via_data",
                                  "masking.padding_mask__inplace_via_numpy"])
def test_a_change_through_data_or_numpy_is_a_change(name, grade_here):
    path = INTEGRITY / f"{name}.py"
    result = grade_here(exercise_of(path), path, max_examples=5)
    assert result["status"] == "graded", result
    checks = failed(result)
    assert INPUTS in checks, result["checks"]
    assert "modified its input" in checks[INPUTS]["message"] and "inplace" in checks[INPUTS]["codes"]
    assert result["diagnosis"] == ["inplace"], result["diagnosis"]


# --- 2. the copy-back never reaches an expected value ------------------------------------------------------

def test_dropout_writing_its_output_into_x_in_eval_fails(grade_here):
    path = INTEGRITY / "regularization.dropout__eval_writeback.py"
    result = grade_here("regularization.dropout", path, max_examples=5)
    checks = failed(result)
    assert "eval mode returns x unchanged" in checks, result["checks"]
    assert "inplace" in result["diagnosis"]


def test_a_mask_changed_during_the_gradient_check_never_reaches_the_reference(grade_here):
    path = INTEGRITY / "masking.masked_softmax__mask_writeback_grad.py"
    result = grade_here("masking.masked_softmax", path, max_examples=5)
    checks = failed(result)
    assert "gradients match the reference" in checks, result["checks"]
    assert "inplace" in checks["gradients match the reference"]["codes"]


def _worker(history=()):
    return types.SimpleNamespace(history=list(history))


def _reply(index: int, tensor: torch.Tensor, out: list[bytes]) -> dict:
    spec = encode_tensor(tensor, out)
    spec.update(requires_grad=False, grad_fn=False)
    return {"mutated": {str(index): spec}}


def test_a_reported_change_is_checked_against_the_graders_own_tensor():
    """The worker's report is untrusted: the same bytes (NaN included) are no change; other bytes are copied
    back, recorded, and put back by undo_changes unless the contract allows them."""
    x = torch.tensor([1.0, math.nan, -2.0])
    mask = torch.tensor([True, False, True])

    def report(index, tensor, args=(x, mask)):
        out: list[bytes] = []
        remote.Worker._write_back(_worker(), _reply(index, tensor, out), out, args)

    with remote.recording_changes() as record:
        report(0, x.clone())
    assert record == []  # the same bytes, NaN and all: not a change

    with remote.recording_changes() as record:
        report(1, torch.zeros(3, dtype=torch.bool))
    assert not mask.any() and len(record) == 1  # copied back (batch norm's running statistics are read there)
    assert remote.undo_changes(record, (x, mask), allowed=(1,)) == [] and not mask.any()

    mask[:] = torch.tensor([True, False, True])
    with remote.recording_changes() as record:
        report(1, torch.zeros(3, dtype=torch.bool))
        report(1, torch.ones(3, dtype=torch.bool))
    assert remote.undo_changes(record, (x, mask)) == [1]
    assert mask.tolist() == [True, False, True]  # as before the first change

    with remote.recording_changes() as record:  # an index the worker made up: ignored
        out = []
        remote.Worker._write_back(_worker(), {"mutated": {"7": encode_tensor(x, out), "x": encode_tensor(x, out)}},
                                  out, (x, mask))
    assert record == []


def test_a_worker_reports_a_change_made_through_data(tmp_path):
    """The worker's own detection: bytes, not only the version counter and the data pointer."""
    from qkv.grader import catalogue  # noqa: PLC0415

    path = tmp_path / "solution.py"
    path.write_text("def padding_mask(lengths, max_len):\n    lengths.data.sub_(1)\n"
                    "    return lengths.new_ones(lengths.shape[0], max_len, dtype=bool)\n")
    remote.use_zygote()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    worker = remote.Worker(scratch=scratch, device=torch.device("cpu"), timeout=60)
    try:
        assert worker.load(catalogue.get("masking.padding_mask"), str(path), path.read_text()) is None
        lengths = torch.tensor([3, 1])
        with remote.recording_changes() as record:
            remote.Remote(worker, 0, "padding_mask")(lengths, 4)
        assert lengths.tolist() == [2, 0]  # reported and copied back
        assert remote.undo_changes(record, (lengths, 4)) == [0] and lengths.tolist() == [3, 1]
    finally:
        worker.close()


# --- 3. multi-head attention graded with weights the grader draws -----------------------------------------

@pytest.mark.parametrize("name", ["attention.mha__zero_qk_hides_scale", "attention.mha__no_attention"])
def test_weights_the_candidate_chose_hide_nothing(name, grade_here):
    path = INTEGRITY / f"{name}.py"
    result = grade_here("attention.mha", path, max_examples=5)
    checks = failed(result)
    assert "matches the reference built from your weights, without a mask" in checks, result["checks"]
    if name.endswith("scale"):
        assert result["diagnosis"] == ["scale"], result["diagnosis"]


def test_the_counterexample_carries_the_drawn_weights(grade_here):
    result = grade_here("attention.mha", INTEGRITY / "attention.mha__zero_qk_hides_scale.py", max_examples=5)
    data = next(c["counterexample"] for c in failed(result).values() if c["counterexample"])
    weights = {w["name"]: torch.tensor(w["values"]) for w in data["weights"]}
    assert {"q_proj.weight", "k_proj.bias", "out_proj.weight"} <= weights.keys()
    bound = 1 / math.sqrt(data["constructor"]["d_model"])
    assert weights["q_proj.weight"].abs().max() > 0 and weights["k_proj.bias"].abs().max() > 0
    assert all(w.abs().max() <= bound for w in weights.values())


@pytest.mark.parametrize("path", sorted((CORPUS / "attention.mha").glob("correct_*.py")), ids=lambda p: p.stem)
def test_correct_solutions_pass_with_the_drawn_weights(path, grade_here):
    result = grade_here("attention.mha", path, max_examples=3)
    assert not failed(result), {k: v["message"][:300] for k, v in failed(result).items()}
