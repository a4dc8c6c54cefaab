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

Graded: values and gradients against a float64 reference; float64 in, float64 out;
random, causal and padding masks; large scores stay finite; rows of weights sum to 1
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
    codes=("scale", "mask-polarity", "mask-ignored", "mask-after-softmax", "softmax-dim", "shape",
           "dtype", "device", "stability", "forbidden"),
    forbidden=("torch.nn.functional.scaled_dot_product_attention",),
    checks="grader.exercises.attention",
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

    Four nn.Linear(d_model, d_model) with bias: w_q, w_k, w_v, w_o
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

Project query, key and value with three nn.Linear(d_model, d_model) layers (with
bias), split d_model into n_heads heads of d_model // n_heads, run scaled dot-product
attention in every head, merge the heads back and apply the output projection.
Name the layers w_q, w_k, w_v, w_o (aliases q_proj/k_proj/v_proj/out_proj, wq/wk/wv/wo
and fc_out are accepted, and so is one fused nn.Linear(d_model, 3 * d_model) named
qkv, in_proj or c_attn, with q, k, v in that order). The grader reads your weights and
compares you with a reference built from them.

Graded: values and gradients (inputs and weights) against a float64 reference; self-
and cross-attention with Lq != Lk; n_heads from 1 up; causal and padding masks;
causality, padding, batch independence and permutation equivariance; inputs left
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
    codes=("scale", "heads", "projection", "mask-polarity", "mask-ignored", "softmax-dim", "shape",
           "dtype", "device", "forbidden"),
    forbidden=("torch.nn.MultiheadAttention", "torch.nn.functional.multi_head_attention_forward"),
    checks="grader.exercises.attention",
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
Graded: values against a float64 reference for many sizes (seq_len 1 up), shape and
dtype (torch's default float32), and the rotation property that makes the encoding
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
    codes=("scale", "polarity", "off-by-one", "shape", "dtype"),
    forbidden=(),
    checks="grader.exercises.attention",
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
Graded: exact values for many lengths (1 up), dtype bool, shape, and the device.
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
    checks="grader.exercises.masking",
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
Graded: exact values, including length 0 and max_len, dtype bool, shape, inputs left
unmodified, and the device (build nothing on the CPU when lengths live elsewhere).
''',
    hints=(
        "Compare a row of positions 0..max_len-1 with a column of lengths and let broadcasting do the rest.",
        "torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None] -> (B, max_len).",
        "Use <, not <=: a sequence of length 3 has real tokens at positions 0, 1 and 2.",
    ),
    codes=("polarity", "off-by-one", "shape", "dtype", "device"),
    forbidden=(),
    checks="grader.exercises.masking",
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
Graded: values and gradients against a float64 reference with random masks over
several dims, fully masked slices, scores up to 1e4, exact zeros, inputs left
unmodified, float64 in and out, and the device. A fully masked slice must get a zero
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
    codes=("mask-polarity", "mask-ignored", "mask-after-softmax", "softmax-dim", "fully-masked", "stability",
           "shape", "dtype", "device"),
    forbidden=(),
    checks="grader.exercises.masking",
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
Graded: exact values for many batches and lengths (0 and max_len included), dtype,
shape (the head dim is required), inputs left unmodified, and the device.
''',
    hints=(
        "It is the AND of two masks you may already have: causal (L, L) and key padding (B, L).",
        "Key padding masks COLUMNS (keys): padding[:, None, None, :] has shape (B, 1, 1, L); "
        "causal[None, None, :, :] has shape (1, 1, L, L); & broadcasts them to (B, 1, L, L).",
        "padding[:, None, :, None] would mask rows (queries) instead of keys, a classic bug. Build both on "
        "lengths.device.",
    ),
    codes=("polarity", "off-by-one", "shape", "dtype", "device"),
    forbidden=(),
    checks="grader.exercises.masking",
)

EXERCISES: dict[str, Exercise] = {
    e.id: e for e in (_SDPA, _MHA, _SINUSOIDAL, _CAUSAL, _PADDING, _MASKED_SOFTMAX, _DECODER_MASK)
}
EXERCISE_IDS: tuple[str, ...] = tuple(EXERCISES)


class UnknownExercise(LookupError):
    def __init__(self, exercise_id: str):
        close = difflib.get_close_matches(exercise_id, EXERCISE_IDS, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown exercise {exercise_id!r}.{hint} Run `qkv list` for all of them.")


def get(exercise_id: str) -> Exercise:
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        raise UnknownExercise(exercise_id) from None
