"""The one catalogue of coding exercises.

Every exercise is declared here once: its id, the file a candidate writes (the
stub, which is also the source of the expected signature), the contract, the
diagnosis codes its checks can report, the functions it forbids, and where its
reference and checks live. Its words (summary, statement, hints, check names and
diagnoses, in English and Chinese) are data: grader/texts/<topic>.yaml, read by
grader/exercise_texts.py. `qkv list`, `show`, `start`, `hint`,
`grade` and the tests all read this module. It never imports torch.
"""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from qkv.grader import contracts, exercise_texts


@dataclass(frozen=True)
class Exercise:
    id: str
    difficulty: str  # easy | medium | hard
    entry_point: str  # the function or class the candidate defines
    stub: str  # the starter file; its signatures are the contract's
    codes: tuple[str, ...]  # diagnosis codes its checks can report
    forbidden: tuple[str, ...]  # dotted names the candidate may not call (a package: everything in it)
    checks: str  # module in grader/exercises/ that declares the checks

    def summary_in(self, lang: str) -> str:
        """One line for `qkv list`."""
        return exercise_texts.summary(self.id, lang)

    def statement_in(self, lang: str) -> str:
        """The contract: shapes, semantics, what is graded."""
        return exercise_texts.statement(self.id, lang)

    def hints_in(self, lang: str) -> tuple[str, ...]:
        """Three hints, revealed one level at a time."""
        return exercise_texts.hints(self.id, lang)

    @property
    def summary(self) -> str:
        return self.summary_in("en")

    @property
    def statement(self) -> str:
        return self.statement_in("en")

    @property
    def hints(self) -> tuple[str, ...]:
        return self.hints_in("en")

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
    codes=("scale", "mask-polarity", "mask-ignored", "mask-after-softmax", "mask-multiply", "softmax-dim", "fill-value",
           "fill-overflow", "shape", "dtype", "device", "stability", "inplace", "forbidden", "precision", "random-output", "state",
           "defaults"),
    forbidden=("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward",
               "torch.nn.MultiheadAttention"),
    checks="qkv.grader.exercises.attention",
)

_MHA = Exercise(
    id="attention.mha",
    difficulty="medium",
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
    codes=("scale", "heads", "projection", "residual", "mask-polarity", "mask-ignored", "mask-after-softmax",
           "softmax-dim", "fill-value", "fill-overflow", "shape", "dtype", "device", "inplace", "forbidden",
           "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.MultiheadAttention", "torch.nn.functional.multi_head_attention_forward"),
    checks="qkv.grader.exercises.attention",
)

_SINUSOIDAL = Exercise(
    id="attention.sinusoidal_pe",
    difficulty="easy",
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
    codes=("scale", "polarity", "off-by-one", "layout", "shape", "dtype", "state"),
    forbidden=(),
    checks="qkv.grader.exercises.attention",
)

_CAUSAL = Exercise(
    id="masking.causal_mask",
    difficulty="easy",
    entry_point="causal_mask",
    stub='''\
import torch


def causal_mask(seq_len, device=None):
    """bool (seq_len, seq_len) on `device`: True where key j <= query i (may attend)."""
    raise NotImplementedError
''',
    codes=("polarity", "off-by-one", "shape", "dtype", "device", "state"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_PADDING = Exercise(
    id="masking.padding_mask",
    difficulty="easy",
    entry_point="padding_mask",
    stub='''\
import torch


def padding_mask(lengths, max_len):
    """lengths: int64 (B,). Returns bool (B, max_len) on lengths' device, True at positions < length."""
    raise NotImplementedError
''',
    codes=("polarity", "off-by-one", "shape", "dtype", "device", "inplace", "state"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_MASKED_SOFTMAX = Exercise(
    id="masking.masked_softmax",
    difficulty="medium",
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
    codes=("mask-polarity", "mask-ignored", "mask-after-softmax", "mask-multiply", "softmax-dim", "fully-masked",
           "fill-value", "fill-overflow", "stability", "shape", "dtype", "device", "inplace", "precision", "random-output", "state",
           "defaults"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

_DECODER_MASK = Exercise(
    id="masking.decoder_mask",
    difficulty="medium",
    entry_point="decoder_self_attention_mask",
    stub='''\
import torch


def decoder_self_attention_mask(lengths, max_len):
    """lengths: int64 (B,). Returns bool (B, 1, max_len, max_len).

    mask[b, 0, i, j] = True iff j <= i and j < lengths[b] (query i may attend to key j).
    """
    raise NotImplementedError
''',
    codes=("polarity", "off-by-one", "axis", "shape", "dtype", "device", "inplace", "state"),
    forbidden=(),
    checks="qkv.grader.exercises.masking",
)

# Every normalisation kernel of torch, forbidden in each normalisation exercise: one computes another
# (group_norm with one group is layer_norm over the last dim; instance_norm runs batch_norm).
_NORM_KERNELS = ("torch.nn.functional.layer_norm", "torch.nn.LayerNorm", "torch.layer_norm", "torch.native_layer_norm",
                 "torch.nn.functional.rms_norm", "torch.nn.RMSNorm", "torch.rms_norm",
                 "torch.nn.functional.batch_norm", "torch.nn.BatchNorm1d", "torch.nn.BatchNorm2d",
                 "torch.nn.BatchNorm3d", "torch.batch_norm", "torch.native_batch_norm",
                 "torch.nn.functional.group_norm", "torch.nn.GroupNorm", "torch.group_norm", "torch.native_group_norm",
                 "torch.nn.functional.instance_norm", "torch.nn.InstanceNorm1d", "torch.nn.InstanceNorm2d",
                 "torch.nn.InstanceNorm3d", "torch.instance_norm")

_LAYER_NORM = Exercise(
    id="normalization.layer_norm",
    difficulty="easy",
    entry_point="layer_norm",
    stub='''\
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last dim (Ba et al., 2016).

    x: (..., D); weight, bias: (D,). var is the biased (population) variance.
    Returns x's shape and dtype; float16 and bfloat16: the statistics in float32 (a float16 square overflows
    past 256), the result cast back.
    """
    raise NotImplementedError
''',
    codes=("variance-bias", "eps", "std-eps", "axis", "affine", "centering", "stability", "cancellation", "shape",
           "dtype", "device", "inplace", "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=_NORM_KERNELS,
    checks="qkv.grader.exercises.normalization",
)

_BATCH_NORM = Exercise(
    id="normalization.batch_norm",
    difficulty="hard",
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
    Returns x's shape and dtype; float16 and bfloat16: the statistics in float32 (a float16 square overflows
    past 256), the result cast back.
    """
    raise NotImplementedError
''',
    codes=("variance-bias", "eps", "axis", "affine", "running-stats", "momentum", "train-eval", "stability",
           "cancellation", "shape", "dtype", "device", "inplace", "forbidden",
           "precision", "random-output", "state", "defaults"),
    forbidden=_NORM_KERNELS,
    checks="qkv.grader.exercises.normalization",
)

_RMS_NORM = Exercise(
    id="normalization.rms_norm",
    difficulty="easy",
    entry_point="rms_norm",
    stub='''\
import torch


def rms_norm(x, weight, eps=1e-6):
    """x / sqrt(mean(x^2 over the last dim) + eps) * weight (Zhang & Sennrich, 2019). No centring.

    x: (..., D); weight: (D,). Returns x's shape and dtype; float16 and bfloat16: the mean of squares in
    float32 (a float16 square overflows past 256), the result cast back.
    """
    raise NotImplementedError
''',
    codes=("centering", "eps", "axis", "affine", "scale", "stability", "shape", "dtype", "device", "inplace",
           "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=_NORM_KERNELS,
    checks="qkv.grader.exercises.normalization",
)

_INIT_FORBIDDEN = ("torch.nn.init.xavier_uniform_", "torch.nn.init.xavier_normal_", "torch.nn.init.kaiming_uniform_",
                   "torch.nn.init.kaiming_normal_", "torch.nn.init._calculate_fan_in_and_fan_out",
                   "torch.nn.init._calculate_correct_fan")


def _init_exercise(name: str, law: str, signature: str, formula: str, codes) -> Exercise:
    entry = f"{name}_{law}_"
    return Exercise(
        id=f"initialization.{name}_{law}",
        difficulty="medium",
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
        codes=codes,
        forbidden=_INIT_FORBIDDEN,
        checks="qkv.grader.exercises.initialization",
    )


_XAVIER_UNIFORM = _init_exercise(
    "xavier", "uniform", "tensor, gain=1.0",
    "U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio, 2010, eq. 16)",
    ("fan", "gain", "bound", "distribution", "inplace", "dtype", "forbidden"))

_XAVIER_NORMAL = _init_exercise(
    "xavier", "normal", "tensor, gain=1.0",
    "N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))   (Glorot & Bengio, 2010)",
    ("fan", "gain", "bound", "distribution", "truncated", "inplace", "dtype", "forbidden"))

_KAIMING_UNIFORM = _init_exercise(
    "kaiming", "uniform", 'tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"',
    "U(-b, b) with b = gain * sqrt(3 / fan), fan chosen by mode, gain = calculate_gain(nonlinearity, a)"
    "   (He et al., 2015)",
    ("fan", "gain", "bound", "distribution", "inplace", "dtype", "forbidden"))

_KAIMING_NORMAL = _init_exercise(
    "kaiming", "normal", 'tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"',
    "N(0, std^2) with std = gain / sqrt(fan), fan chosen by mode, gain = calculate_gain(nonlinearity, a)"
    "   (He et al., 2015)",
    ("fan", "gain", "bound", "distribution", "truncated", "inplace", "dtype", "forbidden"))

_DROPOUT = Exercise(
    id="regularization.dropout",
    difficulty="easy",
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
    codes=("scale", "polarity", "mask-shared", "edge", "train-eval", "inplace", "shape", "dtype", "forbidden",
           "defaults"),
    forbidden=("torch.nn.functional.dropout", "torch.nn.Dropout", "torch.dropout", "torch.dropout_",
               "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d", "torch.nn.functional.alpha_dropout",
               "torch.nn.functional.feature_alpha_dropout", "torch.feature_dropout"),
    checks="qkv.grader.exercises.regularization",
)

_LABEL_SMOOTHING = Exercise(
    id="regularization.label_smoothing",
    difficulty="medium",
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
    codes=("smoothing-mass", "padding-class", "kl", "reduction", "stability", "axis", "sign", "shape", "dtype",
           "device", "inplace", "forbidden", "precision", "random-output", "state", "defaults"),
    forbidden=("torch.nn.functional.cross_entropy[label_smoothing]", "torch.nn.CrossEntropyLoss[label_smoothing]"),
    checks="qkv.grader.exercises.regularization",
)

_SGD_L1_L2 = Exercise(
    id="regularization.l1_l2_step",
    difficulty="easy",
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
    codes=("sign", "edge", "scale", "reduction", "inplace", "shape", "dtype", "device", "forbidden",
    "precision", "random-output", "state", "defaults"),
    # the whole package: every optimizer, and the functional sgd() and its helpers; and the fused kernels
    # behind its fused=True optimizers, which live outside it
    forbidden=("torch.optim", "torch._fused_sgd_", "torch._fused_adam_", "torch._fused_adamw_",
               "torch._fused_adagrad_"),
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
