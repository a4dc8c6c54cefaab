"""The same verdicts on a GPU (skipped cleanly where CUDA is absent)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from qkv.grader import runner

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("exercise", ["attention.sdpa", "attention.mha", "masking.masked_softmax",
                                      "normalization.batch_norm", "initialization.kaiming_uniform",
                                      "regularization.dropout"])
def test_correct_solutions_pass_on_cuda(exercise):
    solution = sorted((CORPUS / exercise).glob("correct_*.py"))[0]
    verdict = runner.grade(exercise, str(solution), device="cuda")
    assert verdict.device.startswith("cuda")
    assert verdict.passed, [c["message"] for c in verdict.checks if not c["passed"]]


def test_cpu_tensor_in_candidate_code_fails_on_cuda():
    solution = CORPUS / "masking.padding_mask" / "bug_device_arange_on_cpu.py"
    verdict = runner.grade("masking.padding_mask", str(solution), device="cuda")
    assert not verdict.passed and "device" in verdict.diagnosis
