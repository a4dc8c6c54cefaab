"""Diagnosis that is right or silent, and counterexamples a learner can reproduce (issue: grader
trust, part 2). The corpus (test_corpus.py) holds the per-mistake cases; these test the machinery."""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from qkv.grader.checking import distinct_digits, format_tensor
from qkv.grader.report import to_text
from qkv.grader.runner import Verdict

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _failed(result):
    return [c for c in result["checks"] if not c["passed"]]


def test_the_snippet_rebuilds_the_failing_input_and_calls_the_file(grade_here, tmp_path, monkeypatch):
    path = CORPUS / "attention.sdpa/bug_scale_dk.py"
    result = grade_here("attention.sdpa", path)
    check = next(c for c in _failed(result) if c["counterexample"])
    data = check["counterexample"]
    assert {"call", "seed", "inputs", "snippet"} <= data.keys()
    q = next(i for i in data["inputs"] if i["name"] == "q")
    assert q["dtype"] in ("float32", "float64") and len(q["shape"]) >= 2 and "values" in q
    (tmp_path / "bug_scale_dk.py").write_text(path.read_text())
    monkeypatch.syspath_prepend(str(tmp_path))
    scope: dict = {}
    exec(data["snippet"].replace("print(result)", ""), scope)  # noqa: S102 - our own snippet, our own file
    assert torch.equal(scope["q"], torch.tensor(q["values"], dtype=getattr(torch, q["dtype"])))
    assert isinstance(scope["result"], tuple)
    sys.modules.pop("bug_scale_dk", None)


def test_an_mha_counterexample_carries_the_weights(grade_here):
    result = grade_here("attention.mha", CORPUS / "attention.mha/bug_scale_head_dim.py")
    data = next(c["counterexample"] for c in _failed(result) if c["counterexample"])
    names = {w["name"] for w in data["weights"]}
    assert {"w_q.weight", "w_o.bias"} <= names or len(names) >= 8, names
    assert "module.get_parameter(" in data["snippet"] and data["constructor"]["n_heads"] >= 1


def test_a_degenerate_smallest_input_is_shown_with_a_typical_one(grade_here):
    """The Annotated Transformer's LayerNorm gives NaN at D = 1 (unbiased std of one value): the
    property runs again at typical sizes, and the diagnosis comes from there."""
    result = grade_here("normalization.layer_norm", CORPUS / "normalization.layer_norm/bug_std_eps_annotated.py")
    both = [c for c in _failed(result) if c.get("typical_counterexample")]
    assert both, [c["message"] for c in _failed(result)]
    assert "special size (D = 1" in both[0]["message"] and "On a typical input" not in both[0]["name"]
    assert result["diagnosis"] == ["std-eps"]


def test_a_value_mismatch_on_float64_is_named_as_one(grade_here):
    result = grade_here("normalization.rms_norm", CORPUS / "normalization.rms_norm/bug_precision_hf_llama.py")
    names = [c["name"] for c in _failed(result)]
    assert "float64 inputs: the values differ from the float64 reference" in names, names
    assert "precision" in result["diagnosis"]


def test_printed_values_have_the_digits_that_differ():
    a, b = -0.29342800123, -0.29342801987
    digits = distinct_digits(a, b)
    assert f"{a:.{digits}g}" != f"{b:.{digits}g}" and digits <= 9
    assert format_tensor(torch.tensor([a], dtype=torch.float64), digits) != \
        format_tensor(torch.tensor([b], dtype=torch.float64), digits)


def test_no_confirmed_mistake_is_said_plainly():
    verdict = Verdict(exercise="attention.sdpa", path="x.py", status="graded", device="cpu", seed=0,
                      max_examples=25, checks=[{"name": "a check", "passed": False, "skipped": False,
                                                "message": "differs", "counterexample": None}], declared=1)
    text = to_text(verdict)
    assert "No known mistake matches your code" in text


def test_the_explanation_is_the_exercise_s(grade_here):
    result = grade_here("regularization.dropout", CORPUS / "regularization.dropout/bug_no_rescale.py")
    assert "scale" in result["diagnosis"]
    verdict = Verdict(exercise="regularization.dropout", path="x.py", status="graded", device="cpu", seed=0,
                      max_examples=25, checks=result["checks"], diagnosis=["scale"], declared=len(result["checks"]))
    text = to_text(verdict)
    assert "1 - p" in text and "sqrt(d_k)" not in text


def test_a_failure_describes_the_input_as_it_was_given(grade_here):
    """An initialiser that swaps the tensor's storage for a float32 one is called with a float64 tensor: the
    failure says so, not what the candidate left in the tensor."""
    path = CORPUS / "initialization.kaiming_uniform/bug_dtype_data_swapped_for_float32.py"
    result = grade_here("initialization.kaiming_uniform", path)
    check = next(c for c in _failed(result) if "dtype" in c["name"])
    assert "tensor=float64 (64, 32)" in check["message"] and "came back as float32" in check["message"], \
        check["message"]
    assert check["counterexample"]["inputs"][0]["dtype"] == "float64"
