"""Forbidden calls, as the grading process sees them.

Two layers. Before any of the candidate's code runs, grader/source_scan.py reads the
source for the names an exercise forbids (with their aliases, below) and for the tricks
that reach around a watch. Then the worker (grader/worker.py) watches the candidate's
code on every call: tripwires on the forbidden Python names, a TorchFunctionMode for
their aliases, and a TorchDispatchMode on the aten backends they end in (listed below). A
hit comes back as a reply, which grader/remote.py raises here as `ForbiddenCall`, a
BaseException, so no check mistakes it for an ordinary failure; every hit is recorded.
Standard library only: the static scan runs without torch.
"""
from __future__ import annotations

hits: list[str] = []

# aten backends of the functions an exercise forbids: the dispatcher sees these however they are reached
ATEN_BACKENDS = {
    "torch.nn.functional.scaled_dot_product_attention": (
        "scaled_dot_product_attention", "_scaled_dot_product_attention_math",
        "_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention",
        "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention",
        "_scaled_dot_product_fused_attention_overrideable", "_fused_sdp_choice"),
    "torch.nn.functional.layer_norm": ("layer_norm", "native_layer_norm"),
    "torch.nn.functional.batch_norm": (
        "batch_norm", "native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
        "_native_batch_norm_legit_functional", "_batch_norm_impl_index", "_batch_norm_with_update",
        "_batch_norm_no_update", "cudnn_batch_norm", "miopen_batch_norm"),
    "torch.nn.functional.rms_norm": ("rms_norm", "_fused_rms_norm"),
    "torch.nn.functional.group_norm": ("group_norm", "native_group_norm"),
    "torch.nn.functional.instance_norm": ("instance_norm",),
    "torch.nn.functional.dropout": ("dropout", "dropout_", "native_dropout", "feature_dropout",
                                    "feature_dropout_", "alpha_dropout", "feature_alpha_dropout"),
}
# Backends reachable only by name (nn.MultiheadAttention's fast path): tripwires on each alias and on
# the torch.ops.aten packet are enough, and spare that exercise the dispatch mode's cost on every op.
NAMED_BACKENDS = {
    # with a mask on the CPU, sdpa decomposes before the dispatch mode sees it: its C alias needs a tripwire
    "torch.nn.functional.scaled_dot_product_attention": ("torch._C._nn.scaled_dot_product_attention",),
    "torch.nn.functional.multi_head_attention_forward": (
        "torch._native_multi_head_attention", "torch.ops.aten._native_multi_head_attention"),
    # forbidden with one keyword only: its C alias, where it comes by position (label_smoothing is the 6th)
    # and its aten op packet (a composite op: the dispatch mode never sees it), label_smoothing also 6th
    "torch.nn.functional.cross_entropy[label_smoothing]": ("torch._C._nn.cross_entropy_loss[label_smoothing@5]",
                                                           "torch.ops.aten.cross_entropy_loss[label_smoothing@5]"),
    # the fused optimizer kernels behind torch.optim (fused=True), reached through torch.ops.aten
    **{f"torch.{kernel}": (f"torch.ops.aten.{kernel}",)
       for kernel in ("_fused_sgd_", "_fused_adam_", "_fused_adamw_", "_fused_adagrad_")},
}

# Where a function forbidden with a keyword only (cross_entropy[label_smoothing]) takes it by position
KEYWORD_POSITIONS = {"cross_entropy": {"label_smoothing": 7}, "CrossEntropyLoss": {"label_smoothing": 5}}


CHECK_NAME = "uses no forbidden function"


def failed_check(message: str) -> dict:
    """The verdict's one check when a forbidden call (seen by the scan or by the worker) ends the grade."""
    return {"name": CHECK_NAME, "passed": False, "skipped": False, "codes": ["forbidden"], "counterexample": None,
            "message": message}


class ForbiddenCall(BaseException):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name
