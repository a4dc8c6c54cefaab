"""The one catalogue of coding exercises.

Every exercise is declared here once: its id, the file a candidate writes (the
stub, which is also the source of the expected signature), the contract, the
hints, the diagnosis codes its checks can report, the functions it forbids, and
where its reference and checks live. `qkv list`, `show`, `start`, `hint`,
`grade` and the tests all read this module. It never imports torch.
"""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from qkv.grader import contracts


@dataclass(frozen=True)
class Exercise:
    id: str
    difficulty: str  # easy | medium | hard
    summary: str  # one line for `qkv list`
    entry_point: str  # the function or class the candidate defines
    stub: str  # the starter file; its signatures are the contract's
    statement: str  # the contract: shapes, semantics, what is graded
    hints: tuple[str, str, str]  # revealed one level at a time
    codes: tuple[str, ...]  # diagnosis codes its checks can report
    forbidden: tuple[str, ...]  # dotted names the candidate may not call
    checks: str  # module in grader/exercises/ that declares the checks

    @property
    def topic(self) -> str:
        return self.id.split(".")[0]

    @property
    def starter_filename(self) -> str:
        return self.id.split(".")[1] + ".py"

    def _stub_function(self, method: str | None = None) -> ast.FunctionDef | ast.ClassDef:
        for node in ast.walk(ast.parse(self.stub)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == self.entry_point:
                if method is None:
                    return node
                return next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == method)
        raise LookupError(f"{self.id}: stub defines no {self.entry_point}")

    def signature(self, method: str | None = None) -> list[str]:
        """Parameter names of the entry point (or of `method` of the entry class), without self."""
        args = self._stub_function(method).args
        return [a.arg for a in args.posonlyargs + args.args if a.arg != "self"]

    def defaults(self, method: str | None = None) -> dict:
        """{parameter: default value} of the entry point, from the stub."""
        args = self._stub_function(method).args
        names = self.signature(method)
        return {name: ast.literal_eval(value) for name, value in zip(names[len(names) - len(args.defaults):],
                                                                     args.defaults)}

    def required(self, method: str | None = None) -> int:
        """How many leading parameters have no default."""
        args = self._stub_function(method).args
        return len(self.signature(method)) - len(args.defaults)

    def signature_text(self) -> str:
        def text(method=None):
            return ast.unparse(self._stub_function(method).args)

        if self.is_class:
            return f"class {self.entry_point}(nn.Module) with __init__({text('__init__')}) and forward({text('forward')})"
        return f"{self.entry_point}({text()})"

    @property
    def is_class(self) -> bool:
        return self.entry_point[:1].isupper()

    @property
    def contract(self) -> "contracts.Contract":
        """What a grade must draw: parameters, dtypes, ranks and forms (grader/contracts.py)."""
        return contracts.CONTRACTS[self.id]


_SDPA = Exercise(
    id="attention.sdpa",
    difficulty="easy",
    summary="Scaled dot-product attention with an optional boolean mask.",
    entry_point="scaled_dot_product_attention",
    stub='''\
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v, with an optional boolean mask.

    q:    (..., Lq, d_k)
    k:    (..., Lk, d_k)
    v:    (..., Lk, d_v)
    mask: bool, broadcastable to (..., Lq, Lk); True = may attend. None = attend everywhere.

    Returns (output, weights): output (..., Lq, d_v), weights (..., Lq, Lk).
    """
    raise NotImplementedError
''',
    statement='''\
Write scaled_dot_product_attention(q, k, v, mask=None).

  q    (..., Lq, d_k)     float
  k    (..., Lk, d_k)     float
  v    (..., Lk, d_v)     float
  mask bool, broadcastable to (..., Lq, Lk); True = may attend; None = no mask
  returns (output (..., Lq, d_v), weights (..., Lq, Lk))

weights = softmax(q k^T / sqrt(d_k)) over the keys, with masked-out scores set to
-inf before the softmax; output = weights v. `...` is any number of leading batch
dims, including none. Lq and Lk may differ, and so may d_k and d_v. Graded inputs
never mask a whole row.

Graded: values and gradients against a float64 reference; float64, float16 and bfloat16
in give the same dtype out; no, one and two batch dims; random (..., Lq, Lk), causal
(Lq, Lq), padding (..., 1, Lk) masks and the default mask; two calls with different
inputs, in both orders; large scores stay finite; rows of weights sum to 1
over allowed keys; causality, padding and batch independence; permutation
equivariance; inputs left unmodified; output on the input's device.
Forbidden: torch.nn.functional.scaled_dot_product_attention.
''',
    hints=(
        "Scores are q @ k.transpose(-2, -1): (..., Lq, d_k) x (..., d_k, Lk) -> (..., Lq, Lk). "
        "Transpose the last two dims only, so any number of batch dims works.",
        "Scale by 1 / sqrt(d_k), where d_k = q.size(-1). Apply the mask to the scores with "
        "scores.masked_fill(~mask, float('-inf')) BEFORE the softmax, then softmax over the last dim (the keys).",
        "weights = torch.softmax(scores / math.sqrt(d_k) masked, dim=-1); output = weights @ v. "
        "Create nothing on the CPU: any constant you build needs device=q.device and dtype=q.dtype.",
    ),
    codes=("scale", "mask-polarity", "mask-ignored", "mask-after-softmax", "mask-multiply", "softmax-dim", "shape",
           "dtype", "device", "stability", "inplace", "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.scaled_dot_product_attention",),
    checks="qkv.grader.exercises.attention",
)

_MHA = Exercise(
    id="attention.mha",
    difficulty="medium",
    summary="Multi-head attention as an nn.Module with four projections.",
    entry_point="MultiHeadAttention",
    stub='''\
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Multi-head attention (Vaswani et al., 2017, sec. 3.2.2).

    Four nn.Linear(d_model, d_model), with or without bias: w_q, w_k, w_v, w_o
    (q_proj/k_proj/v_proj/out_proj, wq/wk/wv/wo or fc_out are accepted too, and so is
    one fused nn.Linear(d_model, 3 * d_model) named qkv, in_proj or c_attn, in q, k, v order).
    """

    def __init__(self, d_model, n_heads):
        super().__init__()
        raise NotImplementedError

    def forward(self, query, key, value, mask=None):
        """query (B, Lq, d_model), key and value (B, Lk, d_model).

        mask: bool, 4-D, broadcastable to (B, n_heads, Lq, Lk); True = may attend.
        Returns (B, Lq, d_model).
        """
        raise NotImplementedError
''',
    statement='''\
Write class MultiHeadAttention(nn.Module) with __init__(self, d_model, n_heads) and
forward(self, query, key, value, mask=None).

  query (B, Lq, d_model), key and value (B, Lk, d_model)
  mask  bool, 4-D, broadcastable to (B, n_heads, Lq, Lk); True = may attend
  returns (B, Lq, d_model)

Project query, key and value with three nn.Linear(d_model, d_model) layers (with or
without bias: a layer without one counts as a zero bias), split d_model into n_heads heads of d_model // n_heads, run scaled dot-product
attention in every head, merge the heads back and apply the output projection.
Name the layers w_q, w_k, w_v, w_o (aliases q_proj/k_proj/v_proj/out_proj, wq/wk/wv/wo
and fc_out are accepted, and so is one fused nn.Linear(d_model, 3 * d_model) named
qkv, in_proj or c_attn, with q, k, v in that order). The grader reads your weights and
compares you with a reference built from them.

Modules are graded in eval mode (module.eval(), as PyTorch's own module tests do): an
nn.Dropout on the weights is fine, but two calls on the same input must agree.
Graded: values and gradients (inputs and weights) against a float64 reference; self-
and cross-attention with Lq != Lk; n_heads from 1 up; causal, padding, random and
per-head (B, n_heads, Lq, Lk) masks and the default mask; float64, float16 and bfloat16
(your weights cast to the inputs' dtype); the same module called twice with different
inputs, in both orders; causality, padding, batch independence and permutation equivariance; inputs left
unmodified; output on the input's device.
Forbidden: nn.MultiheadAttention, F.multi_head_attention_forward
(F.scaled_dot_product_attention inside is allowed: this exercise is about heads).
''',
    hints=(
        "Shapes first: (B, L, d_model) -> project -> view(B, L, n_heads, head_dim) -> transpose(1, 2) -> "
        "(B, n_heads, L, head_dim). Key and value may have a different length Lk from the query's Lq.",
        "Scores per head: (B, h, Lq, hd) @ (B, h, hd, Lk) -> (B, h, Lq, Lk), divided by sqrt(head_dim), "
        "not sqrt(d_model) and not head_dim. Mask with masked_fill(~mask, -inf) before the softmax over Lk.",
        "Merge: (B, h, Lq, hd) -> transpose(1, 2) -> contiguous() -> view(B, Lq, d_model) -> w_o. "
        "Reshaping (B, h, Lq, hd) straight to (B, Lq, d_model) without the transpose mixes heads and positions.",
    ),
    codes=("scale", "heads", "projection", "residual", "mask-polarity", "mask-ignored", "mask-after-softmax",
           "softmax-dim", "shape", "dtype", "device", "inplace", "forbidden",
           "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.MultiheadAttention", "torch.nn.functional.multi_head_attention_forward"),
    checks="qkv.grader.exercises.attention",
)

_SINUSOIDAL = Exercise(
    id="attention.sinusoidal_pe",
    difficulty="easy",
    summary="The sinusoidal positional-encoding table of the original Transformer.",
    entry_point="sinusoidal_positional_encoding",
    stub='''\
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    """The (seq_len, d_model) float table of Vaswani et al. (2017), sec. 3.5.

    PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))
    PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))
    d_model is even; positions start at 0.
    """
    raise NotImplementedError
''',
    statement='''\
Write sinusoidal_positional_encoding(seq_len, d_model).

  returns float32 (seq_len, d_model); d_model is even; positions start at 0
  PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))
  PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))

Even columns hold sines and odd columns cosines of the same frequency, interleaved.
Graded: values against a float64 reference for many sizes (seq_len 1 up, d_model 2 up,
and a long table of 4,100 positions, where a float16 arange of positions goes wrong),
shape and dtype (torch's default float32), repeated calls, and the rotation property that makes the encoding
useful: PE[pos + k] is a fixed linear map of PE[pos].
''',
    hints=(
        "Build a column of positions (seq_len, 1) and a row of frequencies (1, d_model // 2); "
        "their product broadcasts to the (seq_len, d_model // 2) angles.",
        "The frequency of pair i is 10000^(-2i / d_model) = exp(-(2i) * ln(10000) / d_model), with 2i running "
        "over 0, 2, 4, ..., d_model - 2 (torch.arange(0, d_model, 2)).",
        "pe[:, 0::2] = sin(angles); pe[:, 1::2] = cos(angles). Interleave the two, do not concatenate them, "
        "and return float32 (not float64 from numpy or math).",
    ),
    codes=("scale", "polarity", "off-by-one", "layout", "shape", "dtype", "state"),
    forbidden=(),
    checks="qkv.grader.exercises.attention",
)

_CAUSAL = Exercise(
    id="masking.causal_mask",
    difficulty="easy",
    summary="The boolean look-ahead mask of a decoder.",
    entry_point="causal_mask",
    stub='''\
import torch


def causal_mask(seq_len, device=None):
    """bool (seq_len, seq_len) on `device`: True where key j <= query i (may attend)."""
    raise NotImplementedError
''',
    statement='''\
Write causal_mask(seq_len, device=None).

  returns bool (seq_len, seq_len) on `device` (None = the default device)
  mask[i, j] = True where key j <= query i (query i may attend to key j)

Row i is query position i; it sees itself and every earlier position, never a later one.
Graded: exact values for many lengths (1 up, and 2,100, where a uint8 or float16 arange
goes wrong), dtype bool, shape, the default device, repeated calls, and the device.
''',
    hints=(
        "Row i may see columns 0..i: the lower triangle including the diagonal.",
        "torch.tril(torch.ones(n, n, dtype=torch.bool, device=device)) is one way; comparing "
        "arange(n)[:, None] >= arange(n)[None, :] is another.",
        "True means allowed here. If you build the upper triangle (torch.triu(..., diagonal=1)) you have the "
        "positions to BLOCK: negate it. Pass device= to the factory so no CPU tensor is created.",
    ),
    codes=("polarity", "off-by-one", "shape", "dtype", "device"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_PADDING = Exercise(
    id="masking.padding_mask",
    difficulty="easy",
    summary="The boolean key-padding mask from sequence lengths.",
    entry_point="padding_mask",
    stub='''\
import torch


def padding_mask(lengths, max_len):
    """lengths: int64 (B,). Returns bool (B, max_len) on lengths' device, True at positions < length."""
    raise NotImplementedError
''',
    statement='''\
Write padding_mask(lengths, max_len).

  lengths int64 (B,), each in [0, max_len]
  returns bool (B, max_len) on lengths' device; mask[b, t] = t < lengths[b]

True marks a real token, False a padding position. Lengths may be 0 (a row of False)
or equal to max_len (a row of True).
Graded: exact values, including length 0 and max_len and a max_len of 2,100, dtype bool,
shape, repeated calls, inputs left unmodified, and the device (build nothing on the CPU
when lengths live elsewhere).
''',
    hints=(
        "Compare a row of positions 0..max_len-1 with a column of lengths and let broadcasting do the rest.",
        "torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None] -> (B, max_len).",
        "Use <, not <=: a sequence of length 3 has real tokens at positions 0, 1 and 2.",
    ),
    codes=("polarity", "off-by-one", "shape", "dtype", "device", "inplace"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_MASKED_SOFTMAX = Exercise(
    id="masking.masked_softmax",
    difficulty="medium",
    summary="Softmax that gives masked entries exactly zero and fully masked slices zeros, not NaN.",
    entry_point="masked_softmax",
    stub='''\
import torch


def masked_softmax(scores, mask, dim=-1):
    """softmax over `dim` of the entries where mask is True; masked entries are exactly 0.

    scores: float (...); mask: bool, broadcastable to scores; True = keep.
    A slice with nothing kept comes back as all zeros (never NaN).
    Stable for scores of magnitude up to 1e4.
    """
    raise NotImplementedError
''',
    statement='''\
Write masked_softmax(scores, mask, dim=-1).

  scores float, any shape; mask bool broadcastable to scores; True = keep
  returns scores' shape and dtype

Softmax over `dim` of the kept entries: masked entries are exactly 0; every slice with
at least one kept entry sums to 1; a slice with nothing kept is all zeros, never NaN.
Stable for scores of magnitude up to 1e4.
Graded: values and gradients against a float64 reference for 1-4 dims, with masks of
the scores' shape, with size-1 dims or with fewer dims (broadcast from the right, so
`dim` may point at a dim the mask does not have), fully masked slices, scores up to
1e4, a slice of 2,048 entries, exact zeros, the default dim, repeated calls, inputs left
unmodified, float64, float16 and bfloat16 in and the same dtype out, and the device. A fully masked slice must get a zero
gradient, not NaN: NaN gradients poison every parameter upstream.
''',
    hints=(
        "Mask BEFORE the softmax: set masked scores to -inf, so they get weight exactly 0 and the kept "
        "entries renormalise among themselves.",
        "A slice with every entry at -inf gives softmax 0/0 = NaN. Replace those slices with zeros afterwards "
        "(torch.where on mask.any(dim, keepdim=True)), or fill with the most negative finite value and zero the masked "
        "entries at the end.",
        "Subtract the max over `dim` before exp (torch.softmax does it for you); exp(1e4) overflows. "
        "Use the `dim` argument everywhere, including in any any()/sum() over the slice.",
    ),
    codes=("mask-polarity", "mask-ignored", "mask-after-softmax", "mask-multiply", "softmax-dim", "fully-masked",
           "stability", "shape", "dtype", "device", "inplace", "precision", "random-output", "state", "defaults"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_DECODER_MASK = Exercise(
    id="masking.decoder_mask",
    difficulty="medium",
    summary="Causal AND key-padding mask for decoder self-attention, shaped for heads.",
    entry_point="decoder_self_attention_mask",
    stub='''\
import torch


def decoder_self_attention_mask(lengths, max_len):
    """lengths: int64 (B,). Returns bool (B, 1, max_len, max_len).

    mask[b, 0, i, j] = True iff j <= i and j < lengths[b] (query i may attend to key j).
    """
    raise NotImplementedError
''',
    statement='''\
Write decoder_self_attention_mask(lengths, max_len).

  lengths int64 (B,), each in [0, max_len]
  returns bool (B, 1, max_len, max_len) on lengths' device
  mask[b, 0, i, j] = (j <= i) and (j < lengths[b])

The head dim of size 1 lets the mask broadcast over (B, n_heads, L, L) scores.
Graded: exact values for many batches and lengths (0 and max_len included, and a
max_len of 1,100), dtype, shape (the head dim is required), repeated calls, inputs left
unmodified, and the device.
''',
    hints=(
        "It is the AND of two masks you may already have: causal (L, L) and key padding (B, L).",
        "Key padding masks COLUMNS (keys): padding[:, None, None, :] has shape (B, 1, 1, L); "
        "causal[None, None, :, :] has shape (1, 1, L, L); & broadcasts them to (B, 1, L, L).",
        "padding[:, None, :, None] would mask rows (queries) instead of keys, a classic bug. Build both on "
        "lengths.device.",
    ),
    codes=("polarity", "off-by-one", "shape", "dtype", "device", "inplace"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_LAYER_NORM = Exercise(
    id="normalization.layer_norm",
    difficulty="easy",
    summary="LayerNorm over the last dim, with the biased variance and an affine transform.",
    entry_point="layer_norm",
    stub='''\
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last dim (Ba et al., 2016).

    x: (..., D); weight, bias: (D,). var is the biased (population) variance.
    Returns x's shape and dtype.
    """
    raise NotImplementedError
''',
    statement='''\
Write layer_norm(x, weight, bias, eps=1e-5).

  x (..., D) float; weight, bias (D,); returns x's shape and dtype
  y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, statistics over the last dim

var is the biased (population) variance, divided by D, not D - 1. As
F.layer_norm(x, x.shape[-1:], weight, bias, eps).
Graded: values and gradients (x, weight, bias) against a float64 reference for 1-4 dims
with size-1 dims; offsets and scales up to 1e3 (a one-pass E[x^2] - E[x]^2 variance
fails there); eps values that matter (0.5) and the default eps; repeated calls; inputs
left unmodified; float64, float16 and bfloat16 in and the same dtype out; the device.
Forbidden: F.layer_norm, nn.LayerNorm, torch.layer_norm.
''',
    hints=(
        "Each row (the last dim) is normalised on its own: mean and variance over dim=-1 with keepdim=True, "
        "so they broadcast back over x.",
        "Use the biased variance: x.var(dim=-1, unbiased=False, keepdim=True), or ((x - mean) ** 2).mean(-1). "
        "torch.var's default is unbiased (divides by D - 1).",
        "eps goes inside the square root: (x - mean) / torch.sqrt(var + eps). Compute the variance from the "
        "centred values (two passes): E[x^2] - E[x]^2 loses every digit when the mean is large.",
    ),
    codes=("variance-bias", "eps", "std-eps", "axis", "affine", "centering", "stability", "cancellation", "shape",
           "dtype", "device", "inplace", "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.layer_norm", "torch.nn.LayerNorm", "torch.layer_norm"),
    checks="qkv.grader.exercises.normalization",
)

_BATCH_NORM = Exercise(
    id="normalization.batch_norm",
    difficulty="hard",
    summary="BatchNorm in training and eval, with running statistics updated in place.",
    entry_point="batch_norm",
    stub='''\
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    """BatchNorm (Ioffe & Szegedy, 2015) as F.batch_norm.

    x: (N, C, *); running_mean, running_var, weight, bias: (C,).
    training: normalise with the batch mean and biased variance over every dim except 1, and update
      running_mean/running_var IN PLACE: r = (1 - momentum) * r + momentum * stat, with the UNBIASED
      batch variance for running_var.
    eval: normalise with the running statistics and leave them unchanged.
    Returns x's shape and dtype.
    """
    raise NotImplementedError
''',
    statement='''\
Write batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5).

  x (N, C, *) float; running_mean, running_var, weight, bias (C,); returns x's shape
  training: y = (x - mean) / sqrt(var + eps) * weight + bias with the batch mean and the
            biased batch variance over every dim except 1; then, in place,
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var  = (1 - momentum) * running_var  + momentum * unbiased_var
  eval:     the same with running_mean and running_var; they stay unchanged

As F.batch_norm. Graded: (N, C), (N, C, L), (N, C, H, W) and (N, C, D, H, W) inputs with
batch >= 2, training and eval, values and gradients, the running statistics after the
call (updated in place, the unbiased variance, momentum the right way round, and no
autograd history: update them under torch.no_grad()), the default momentum and eps,
offsets up to 1e3, eps = 0.5, repeated calls, x left unmodified, float64, float16 and
bfloat16 in and the same dtype out, the device.
Forbidden: F.batch_norm, nn.BatchNorm1d/2d/3d, torch.batch_norm.
''',
    hints=(
        "Statistics are per channel: reduce over every dim except 1, e.g. dims = [0] + list(range(2, x.dim())), "
        "and reshape the (C,) vectors to (1, C, 1, ...) to broadcast.",
        "Normalise with the biased variance (unbiased=False) but update running_var with the unbiased one: "
        "multiply by n / (n - 1), where n = x.numel() / C.",
        "Update the buffers in place so the caller sees them: running_mean.mul_(1 - momentum).add_(momentum * mean) "
        "under torch.no_grad(); `running_mean = ...` only rebinds your local name. In eval, use the running "
        "statistics and leave them alone.",
    ),
    codes=("variance-bias", "eps", "axis", "affine", "running-stats", "momentum", "train-eval", "stability",
           "cancellation", "shape", "dtype", "device", "inplace", "forbidden",
           "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d",
               "torch.nn.BatchNorm3d", "torch.batch_norm"),
    checks="qkv.grader.exercises.normalization",
)

_RMS_NORM = Exercise(
    id="normalization.rms_norm",
    difficulty="easy",
    summary="RMSNorm: scale by the root mean square, no centring.",
    entry_point="rms_norm",
    stub='''\
import torch


def rms_norm(x, weight, eps=1e-6):
    """x / sqrt(mean(x^2 over the last dim) + eps) * weight (Zhang & Sennrich, 2019). No centring.

    x: (..., D); weight: (D,). Returns x's shape and dtype.
    """
    raise NotImplementedError
''',
    statement='''\
Write rms_norm(x, weight, eps=1e-6).

  x (..., D) float; weight (D,); returns x's shape and dtype
  y = x / sqrt(mean(x^2 over the last dim) + eps) * weight      (no mean subtracted)

As F.rms_norm(x, x.shape[-1:], weight, eps). Graded: values and gradients for 1-4 dims
with size-1 dims, offsets up to 1e3 (centring would show), eps = 0.5 and the default eps,
repeated calls, inputs left unmodified, float64, float16 and bfloat16 in and the same
dtype out, the device.
Forbidden: F.rms_norm, nn.RMSNorm, torch.rms_norm.
''',
    hints=(
        "RMSNorm is LayerNorm without the mean: no x - mean anywhere, and no bias.",
        "rms = sqrt(mean(x * x, dim=-1, keepdim=True) + eps): the mean of squares over the last dim, eps inside "
        "the square root.",
        "x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight.",
    ),
    codes=("centering", "eps", "axis", "affine", "scale", "stability", "shape", "dtype", "device", "inplace",
           "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.rms_norm", "torch.nn.RMSNorm", "torch.rms_norm"),
    checks="qkv.grader.exercises.normalization",
)

_INIT_COMMON_STATEMENT = """
Fans as PyTorch computes them: receptive field = product of the dims after the first two;
fan_in = size(1) * receptive field; fan_out = size(0) * receptive field (an nn.Linear
weight is (out_features, in_features)). Tensors have >= 2 dims. Fill the tensor in place
(no autograd history: torch.no_grad()) and return it; keep its dtype.

Graded statistically, with thresholds designed so a correct answer fails with
probability < 1e-6 and every classic bug is caught with probability > 0.999 (see
grader/statistics.py): Linear weights and Conv1d, Conv2d (square and 3x5) and Conv3d
kernels whose fans differ by 2x or more, every argument passed and left to its default{modes},
tens of thousands of elements; a test on the sample std, a KS test against the exact
target law{extra}. Also: filled in place and returned, no autograd history, dtype kept
(float64, float16, bfloat16).
Forbidden: torch.nn.init's xavier_*/kaiming_* and _calculate_fan_in_and_fan_out /
_calculate_correct_fan (calculate_gain is allowed). `qkv grade ... --plot FILE.png`
draws your histogram over the target density and the activation std through a deep stack.
"""

_INIT_FORBIDDEN = ("torch.nn.init.xavier_uniform_", "torch.nn.init.xavier_normal_", "torch.nn.init.kaiming_uniform_",
                   "torch.nn.init.kaiming_normal_", "torch.nn.init._calculate_fan_in_and_fan_out",
                   "torch.nn.init._calculate_correct_fan")


def _init_exercise(name: str, law: str, signature: str, formula: str, summary: str, hints, codes) -> Exercise:
    uniform = law == "uniform"
    entry = f"{name}_{law}_"
    return Exercise(
        id=f"initialization.{name}_{law}",
        difficulty="medium",
        summary=summary,
        entry_point=entry,
        stub=f'''\
import math

import torch


def {entry}({signature}):
    """{formula}

    In place: fill `tensor` (>= 2 dims) under torch.no_grad() and return it.
    fan_in = size(1) * receptive field, fan_out = size(0) * receptive field,
    receptive field = product of the dims after the first two.
    """
    raise NotImplementedError
''',
        statement=f"Write {entry}({signature}).\n\n  {formula}\n" + _INIT_COMMON_STATEMENT.format(
            extra=", and the bound (no element beyond b; the largest close to b)" if uniform else "",
            modes=(";\nboth modes with Linear weights and conv kernels, and every nonlinearity calculate_gain\n"
                   "knows (linear, conv1d/2d/3d, sigmoid, tanh, relu, leaky_relu, selu)")
            if name == "kaiming" else ""),
        hints=hints,
        codes=codes,
        forbidden=_INIT_FORBIDDEN,
        checks="qkv.grader.exercises.initialization",
    )


_FAN_HINT = ("Fans first: receptive = math.prod(tensor.shape[2:]) (1 for a Linear weight); "
             "fan_in = tensor.shape[1] * receptive, fan_out = tensor.shape[0] * receptive.")

_XAVIER_UNIFORM = _init_exercise(
    "xavier", "uniform", "tensor, gain=1.0",
    "U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio, 2010, eq. 16)",
    "Xavier/Glorot uniform initialisation, in place.",
    (_FAN_HINT,
     "U(-b, b) has variance b^2 / 3; Glorot wants Var = 2 / (fan_in + fan_out), so b = sqrt(6 / (fan_in + fan_out)), "
     "times gain.",
     "with torch.no_grad(): tensor.uniform_(-b, b); return tensor."),
    ("fan", "gain", "bound", "distribution", "inplace", "dtype", "forbidden"))

_XAVIER_NORMAL = _init_exercise(
    "xavier", "normal", "tensor, gain=1.0",
    "N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))   (Glorot & Bengio, 2010)",
    "Xavier/Glorot normal initialisation, in place.",
    (_FAN_HINT,
     "The variance is 2 / (fan_in + fan_out); normal_ takes the standard deviation, its square root, times gain.",
     "with torch.no_grad(): tensor.normal_(0.0, std); return tensor."),
    ("fan", "gain", "bound", "distribution", "truncated", "inplace", "dtype", "forbidden"))

_KAIMING_HINT_GAIN = ("gain = torch.nn.init.calculate_gain(nonlinearity, a): sqrt(2 / (1 + a^2)) for leaky_relu, "
                      "sqrt(2) for relu, 5/3 for tanh. fan = fan_in if mode == 'fan_in' else fan_out.")

_KAIMING_UNIFORM = _init_exercise(
    "kaiming", "uniform", 'tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"',
    "U(-b, b) with b = gain * sqrt(3 / fan), fan chosen by mode, gain = calculate_gain(nonlinearity, a)"
    "   (He et al., 2015)",
    "Kaiming/He uniform initialisation, in place.",
    (_FAN_HINT, _KAIMING_HINT_GAIN,
     "std = gain / sqrt(fan); a uniform with that std has b = sqrt(3) * std. "
     "with torch.no_grad(): tensor.uniform_(-b, b); return tensor."),
    ("fan", "gain", "bound", "distribution", "inplace", "dtype", "forbidden"))

_KAIMING_NORMAL = _init_exercise(
    "kaiming", "normal", 'tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"',
    "N(0, std^2) with std = gain / sqrt(fan), fan chosen by mode, gain = calculate_gain(nonlinearity, a)"
    "   (He et al., 2015)",
    "Kaiming/He normal initialisation, in place.",
    (_FAN_HINT, _KAIMING_HINT_GAIN,
     "normal_ takes the std, gain / sqrt(fan), not the variance 2 / fan. "
     "with torch.no_grad(): tensor.normal_(0.0, std); return tensor."),
    ("fan", "gain", "bound", "distribution", "truncated", "inplace", "dtype", "forbidden"))

_DROPOUT = Exercise(
    id="regularization.dropout",
    difficulty="easy",
    summary="Inverted dropout: zero with probability p, scale the kept units by 1/(1-p).",
    entry_point="dropout",
    stub='''\
import torch


def dropout(x, p, training=True):
    """Inverted dropout (Srivastava et al., 2014; the scaling PyTorch uses).

    training: each element is zeroed independently with probability p, kept ones are scaled by 1 / (1 - p).
    eval (training=False): returns x unchanged. p in [0, 1]; p = 1 returns zeros (no NaN).
    """
    raise NotImplementedError
''',
    statement='''\
Write dropout(x, p, training=True).

  x float, any shape; p in [0, 1]; returns x's shape and dtype
  training: each element zeroed independently with probability p, kept ones * 1 / (1 - p)
  eval:     x unchanged; p = 0 is the identity; p = 1 gives zeros, never NaN

Graded statistically (false-reject probability < 1e-6, power > 0.999, see
grader/statistics.py): the zeroed fraction by a binomial test; kept elements exactly
x / (1 - p); eval and p = 0 are the identity; p = 1 gives zeros without NaN; masks are
independent along every dim (not one mask broadcast over the batch or any other dim) for
1-D to 4-D inputs; training left to its default; float16, bfloat16 and float64 keep their
dtype; the gradient is mask / (1 - p); a fresh mask on every call; two calls with
different shapes in both orders; x left unmodified.
Forbidden: F.dropout, nn.Dropout, torch.dropout (and its in-place and feature variants).
''',
    hints=(
        "A keep-mask with the same shape as x: torch.rand_like(x) > p (or torch.bernoulli of 1 - p). "
        "Shape (1, D) would share one mask across the batch.",
        "Inverted dropout scales at training time so that E[output] = x: x * mask / (1 - p). At eval, return x "
        "untouched; there is nothing to rescale.",
        "p = 1 makes 1 / (1 - p) infinite and 0 * inf = NaN: return torch.zeros_like(x) for it. "
        "Early-return x when not training or p == 0.",
    ),
    codes=("scale", "polarity", "mask-shared", "edge", "train-eval", "inplace", "shape", "dtype", "forbidden"),
    forbidden=("torch.nn.functional.dropout", "torch.nn.Dropout", "torch.dropout", "torch.dropout_",
               "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d", "torch.nn.functional.alpha_dropout",
               "torch.nn.functional.feature_alpha_dropout", "torch.feature_dropout"),
    checks="qkv.grader.exercises.regularization",
)

_LABEL_SMOOTHING = Exercise(
    id="regularization.label_smoothing",
    difficulty="medium",
    summary="Cross-entropy against a label-smoothed target, stable for large logits.",
    entry_point="label_smoothing_cross_entropy",
    stub='''\
import torch


def label_smoothing_cross_entropy(logits, target, smoothing=0.1):
    """Mean over N of the cross-entropy between the smoothed target and softmax(logits).

    logits: (N, C) float; target: (N,) int64.
    Smoothed target: 1 - smoothing on the true class, plus smoothing / C on EVERY class
    (Szegedy et al., 2016; PyTorch's convention). Stable for logits up to 1e4. Returns a 0-dim tensor.
    """
    raise NotImplementedError
''',
    statement='''\
Write label_smoothing_cross_entropy(logits, target, smoothing=0.1).

  logits (N, C) float; target (N,) int64; returns a 0-dim tensor, the mean over N
  q = (1 - smoothing) * one_hot(target) + smoothing / C      (on every class, true one included)
  loss_n = -sum_c q_c * log_softmax(logits_n)_c

As F.cross_entropy(logits, target, label_smoothing=smoothing). Graded: values and
gradients for many N, C (C = 1 and 2 included) and smoothing in [0, 1]; logits up to 1e4
(log of softmax overflows, log_softmax does not); the default smoothing; repeated calls;
inputs left unmodified; float64, float16 and bfloat16 in and the same dtype out; the device.
Forbidden: F.cross_entropy with label_smoothing (plain F.cross_entropy / F.nll_loss are allowed).
''',
    hints=(
        "Work in log space: logp = torch.log_softmax(logits, dim=-1), (N, C). log(softmax(x)) overflows for large "
        "logits.",
        "The smoothed target gives 1 - s to the true class and s / C to every class: loss = (1 - s) * nll + s * "
        "mean_c(-logp_c), with nll = -logp.gather(1, target[:, None]).squeeze(1).",
        "Average over the batch (mean, not sum). s / (C - 1) on the wrong classes only is another convention, "
        "not PyTorch's.",
    ),
    codes=("smoothing-mass", "padding-class", "kl", "reduction", "stability", "axis", "sign", "shape", "dtype",
           "device", "inplace", "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.cross_entropy[label_smoothing]", "torch.nn.CrossEntropyLoss[label_smoothing]"),
    checks="qkv.grader.exercises.regularization",
)

_SGD_L1_L2 = Exercise(
    id="regularization.l1_l2_step",
    difficulty="easy",
    summary="One SGD step on a loss with L1 and L2 penalties.",
    entry_point="sgd_step_l1_l2",
    stub='''\
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    """The parameter after one SGD step on loss + l1 * sum|param| + (l2 / 2) * sum(param^2):

        param - lr * (grad + l1 * sign(param) + l2 * param),   sign(0) = 0.

    Returns a new tensor; does not modify param or grad.
    """
    raise NotImplementedError
''',
    statement='''\
Write sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0).

  param, grad: float tensors of the same shape; returns the new parameter (a new tensor)
  param - lr * (grad + l1 * sign(param) + l2 * param),  sign(0) = 0

The gradient of l1 * sum|w| is l1 * sign(w) (0 at w = 0); of (l2 / 2) * sum(w^2) it is
l2 * w. Graded: values and gradients for many shapes, exact zeros in param, several
lr/l1/l2 (zero included, and l1, l2 left to their defaults), repeated calls, param and
grad left unmodified, float64, float16 and bfloat16 in and the same dtype out, the device.
Gradients through the step are not graded: like torch.optim, an update runs outside autograd.
Forbidden: torch.optim.
''',
    hints=(
        "Add the penalty gradients to the loss gradient, then take one step: new = param - lr * total.",
        "d/dw of l1 * |w| is l1 * sign(w) (torch.sign gives 0 at 0); d/dw of (l2 / 2) * w^2 is l2 * w, "
        "not 2 * l2 * w.",
        "Return a new tensor: param - lr * (...). param.sub_(...) or param -= ... changes the caller's tensor.",
    ),
    codes=("sign", "edge", "scale", "reduction", "inplace", "shape", "dtype", "device", "forbidden",
    "precision", "random-output", "state", "defaults"),
    forbidden=("torch.optim.SGD", "torch.optim.Adam", "torch.optim.AdamW"),
    checks="qkv.grader.exercises.regularization",
)

EXERCISES: dict[str, Exercise] = {
    e.id: e for e in (_SDPA, _MHA, _SINUSOIDAL, _CAUSAL, _PADDING, _MASKED_SOFTMAX, _DECODER_MASK,
                      _LAYER_NORM, _BATCH_NORM, _RMS_NORM, _XAVIER_UNIFORM, _XAVIER_NORMAL, _KAIMING_UNIFORM,
                      _KAIMING_NORMAL, _DROPOUT, _LABEL_SMOOTHING, _SGD_L1_L2)
}
EXERCISE_IDS: tuple[str, ...] = tuple(EXERCISES)


class UnknownExercise(LookupError):
    def __init__(self, exercise_id: str):
        close = difflib.get_close_matches(exercise_id, EXERCISE_IDS, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown exercise {exercise_id!r}.{hint} Run `qkv list` for all of them.")


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; case does not matter, and the part after the dot is enough when
    only one exercise has it (`layer_norm`, `LayerNorm` stays unknown)."""
    if exercise_id in EXERCISES:
        return EXERCISES[exercise_id]
    wanted = exercise_id.strip().lower().replace("-", "_")
    matches = [e for e in EXERCISES.values() if wanted in (e.id.lower(), e.id.split(".", 1)[1].lower())]
    if len(matches) == 1:
        return matches[0]
    raise UnknownExercise(exercise_id)
