"""Find code that would break on a GPU without having one.

The candidate runs once in the worker with every input on the `meta` device (shapes and
dtypes, no data) under a TorchDispatchMode that looks at every aten op (grader/worker.py):
an op whose tensor arguments live on two devices (say a CPU `torch.arange(n)` compared
with meta lengths) is exactly what raises "Expected all tensors to be on the same
device" on CUDA. 0-dim CPU tensors are ignored (PyTorch lets those mix, as scalars), and
so are CPU index tensors. Code that needs real data (`.item()`, `bool(mask.all())`, boolean
indexing, nonzero) cannot run on meta: the worker then runs it again on real CPU data wrapped
as tensors that report another device (`Tagged` in grader/worker.py), under a dispatch mode
that runs every op on the data, tags what it computes from tagged inputs or asks for on the
inputs' device, and flags an op that mixes tagged tensors with untagged ones (a CPU
`torch.arange(n)`). Only when that run fails too is the device unverifiable, and the check
fails with the error. On a CUDA machine the same watch runs with real CUDA inputs.
"""
from __future__ import annotations

from typing import Callable

import torch

from qkv.grader import remote


class Unverifiable(Exception):
    """Neither the meta run nor the tagged run could run the code."""


def run_watching_devices(fn: Callable[[], object], target: torch.device):
    """(fn's result, a sentence on the first op that mixed devices or None)."""
    with remote.watching_devices(target):
        result = fn()
    report = remote.last_device_report()
    if "inconclusive" in report:
        raise Unverifiable(report["inconclusive"])
    return result, report.get("mixed")
