"""Find code that would break on a GPU without having one.

The candidate runs once with every input on the `meta` device (shapes and dtypes, no
data) under a TorchDispatchMode that looks at every aten op: an op whose tensor
arguments live on two devices (say a CPU `torch.arange(n)` compared with meta lengths)
is exactly what raises "Expected all tensors to be on the same device" on CUDA. 0-dim
CPU tensors are ignored (PyTorch lets those mix, as scalars). Code that needs real data
(`.item()`, boolean indexing, nonzero) cannot run on meta: that is inconclusive, not a
failure. On a CUDA machine the same watch runs with real CUDA inputs.
"""
from __future__ import annotations

import contextlib
import sys
import types
from typing import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from grader.checking import Inconclusive


_CPU_INDICES_ALLOWED = {torch.ops.aten.index, torch.ops.aten.index_put, torch.ops.aten.index_put_,
                        torch.ops.aten._index_put_impl_}


class _DeviceWatch(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # The default wraps __torch_dispatch__ in a dynamo guard whose first call imports
        # torch._dynamo (over a second); this mode is never compiled, so skip the guard.
        return False

    def __init__(self, target: torch.device):
        super().__init__()
        self.target = target
        self.mixed: str | None = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        # Indexing accepts CPU index tensors for a tensor on any device: only `self` counts there.
        watched = args[:1] if func.overloadpacket in _CPU_INDICES_ALLOWED else (args, kwargs)
        tensors = [t for t in tree_leaves(watched) if isinstance(t, torch.Tensor)]
        devices = {t.device.type for t in tensors if not (t.device.type == "cpu" and t.dim() == 0)}
        if len(devices) > 1 and self.mixed is None:
            shapes = ", ".join(f"{t.device.type} {tuple(t.shape)}" for t in tensors)
            self.mixed = f"The operation {func.overloadpacket.__name__} mixes devices: {shapes}."
        return func(*args, **kwargs)


@contextlib.contextmanager
def _without_dynamo_import():
    """Meta kernels written in Python (torch._refs) are wrapped in torch._disable_dynamo,
    whose first call imports torch._dynamo: over a second, for a guard that only matters
    under torch.compile. While the meta run lasts, a stand-in module answers that import
    with a pass-through `disable`; the real module is untouched and importable afterwards."""
    if "torch._dynamo" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("torch._dynamo")
    stand_in.disable = lambda fn, recursive=True, wrapping=True: fn
    sys.modules["torch._dynamo"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("torch._dynamo") is stand_in:
            del sys.modules["torch._dynamo"]
        torch.__dict__.pop("_dynamo", None)


def run_watching_devices(fn: Callable[[], object], target: torch.device):
    """(fn's result, a sentence on the first op that mixed devices or None)."""
    watch = _DeviceWatch(target)
    try:
        with _without_dynamo_import(), watch:
            result = fn()
    except Exception as exc:  # noqa: BLE001 - the op itself may refuse the mix, or need data
        if watch.mixed:
            return None, watch.mixed
        if target.type == "meta":
            raise Inconclusive(f"could not run on the meta device ({type(exc).__name__}: {exc})") from None
        raise
    return result, watch.mixed
