"""The contract of every exercise, as data: what a grade must draw.

The catalogue (grader/catalogue.py) declares each exercise; this module says, for each,
which parts of its contract a grade has to exercise: every parameter (its domain in
words, and the values a grade draws; its default comes from the stub), the input dtypes,
the ranks and broadcast forms, the special values, repeated calls, and a long input.
The task modules (grader/exercises/) build their deterministic contract cases from it,
and tests/grader/test_contract.py (rustlings' `dev check` in spirit) grades a correct
solution with the default settings and asserts that every dimension below was drawn.
No torch here.

A dimension is a label:
  dtype:NAME          an input of that dtype (float16, bfloat16, float32, float64)
  form:NAME           a rank or broadcast form
  special:NAME        a special value or combination
  value:PARAM=VALUE   a parameter passed with that value
  pass:PARAM          a parameter with a default, passed
  omit:PARAM          a parameter with a default, left out (the candidate's default is used)
  repeated            the same function or module called twice with different inputs, both orders
  long                one input of the contract's long length
"""
from __future__ import annotations

from dataclasses import dataclass

FLOATS = ("float32", "float64", "float16", "bfloat16")
HALF = ("float16", "bfloat16")
NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
KERNELS = ("Linear (out, in)", "Conv1d (out, in, k)", "Conv2d (out, in, kh, kw)", "Conv3d (out, in, kd, kh, kw)",
           "non-square kernel")


@dataclass(frozen=True)
class Param:
    name: str
    domain: str  # the values the contract allows, in words
    values: tuple = ()  # values a grade passes, each at least once (empty: drawn, none singled out)


@dataclass(frozen=True)
class Contract:
    params: tuple[Param, ...]
    dtypes: tuple[str, ...] = ()  # float dtypes of the inputs (empty: no float input)
    forms: tuple[str, ...] = ()
    special: tuple[str, ...] = ()
    repeated: bool = True
    long: int = 0  # the length of the long case (0: none)

    def dimensions(self, defaults: dict) -> set[str]:
        """Every label a default grade must cover; `defaults` the stub's {parameter: default}."""
        labels = {f"dtype:{d}" for d in self.dtypes} | {f"form:{f}" for f in self.forms}
        labels |= {f"special:{s}" for s in self.special}
        labels |= {f"value:{p.name}={v!r}" for p in self.params for v in p.values}
        labels |= {f"{how}:{name}" for name in defaults for how in ("pass", "omit")}
        labels |= {"repeated"} if self.repeated else set()
        labels |= {"long"} if self.long else set()
        return labels


def value_label(name: str, value) -> str:
    return f"value:{name}={value!r}"


_SEQ = Param("seq_len", "int >= 1")
_LENGTHS = (Param("lengths", "int64 (B,), each in [0, max_len]"), Param("max_len", "int >= 1"))
_EPS = Param("eps", "float > 0", (1e-5, 1e-3, 0.5))

CONTRACTS: dict[str, Contract] = {
    "attention.sdpa": Contract(
        params=(Param("q", "float (..., Lq, d_k)"), Param("k", "float (..., Lk, d_k)"),
                Param("v", "float (..., Lk, d_v)"), Param("mask", "None, or bool broadcastable to (..., Lq, Lk)")),
        dtypes=FLOATS,
        forms=("no batch dim", "one batch dim", "two batch dims", "mask (..., Lq, Lk)", "mask (..., 1, Lk)",
               "mask (Lq, Lk) broadcast over the batch dims"),
        special=("Lq != Lk", "d_k != d_v", "scores up to 1e3", "scores of magnitude 1e5 and more"),
    ),
    "attention.mha": Contract(
        params=(Param("d_model", "int, a multiple of n_heads"), Param("n_heads", "int >= 1"),
                Param("query", "float (B, Lq, d_model)"), Param("key", "float (B, Lk, d_model)"),
                Param("value", "float (B, Lk, d_model)"),
                Param("mask", "None, or bool 4-D broadcastable to (B, n_heads, Lq, Lk)")),
        dtypes=FLOATS,
        forms=("self-attention", "cross-attention, Lq != Lk", "one head", "mask (B, 1, 1, Lk)",
               "mask (1, 1, Lq, Lq)", "mask (B, 1, Lq, Lk)", "mask (B, n_heads, Lq, Lk)"),
        special=("eval mode: the same input twice gives the same output", "scores of magnitude 1e5 and more"),
    ),
    "attention.sinusoidal_pe": Contract(
        params=(_SEQ, Param("d_model", "even int >= 2")),
        forms=("seq_len 1", "d_model 2"),
        long=4100,  # past 2048, where a float16 arange of positions stops counting by 1
    ),
    "masking.causal_mask": Contract(
        params=(_SEQ, Param("device", "None (the default device) or a torch.device")),
        forms=("seq_len 1",),
        long=2100,
    ),
    "masking.padding_mask": Contract(
        params=_LENGTHS, special=("length 0", "length max_len"), long=2100),
    "masking.decoder_mask": Contract(
        params=_LENGTHS, special=("length 0", "length max_len"), long=1100),
    "masking.masked_softmax": Contract(
        params=(Param("scores", "float, any shape"), Param("mask", "bool broadcastable to scores"),
                Param("dim", "int in [-scores.dim(), scores.dim())", (-1, 0))),
        dtypes=FLOATS,
        forms=("1-D scores", "2-D scores", "3-D scores", "4-D scores", "mask of the scores' shape",
               "mask broadcast from the right (fewer dims)", "mask with size-1 dims",
               "dim a dim the mask does not have"),
        special=("a fully masked slice", "scores up to 1e4", "scores of magnitude 1e5 and more"),
        long=2048,
    ),
    "normalization.layer_norm": Contract(
        params=(Param("x", "float (..., D)"), Param("weight", "float (D,)"), Param("bias", "float (D,)"), _EPS),
        dtypes=FLOATS, forms=("1-D x", "2-D x", "3-D x", "4-D x"),
        special=("offsets up to 1e3", "float16 values past 256"),
    ),
    "normalization.rms_norm": Contract(
        params=(Param("x", "float (..., D)"), Param("weight", "float (D,)"), Param("eps", "float > 0", (1e-6, 0.5))),
        dtypes=FLOATS, forms=("1-D x", "2-D x", "3-D x", "4-D x"),
        special=("offsets up to 1e3", "float16 values past 256"),
    ),
    "normalization.batch_norm": Contract(
        params=(Param("x", "float (N, C, *), N * prod(*) >= 2"), Param("running_mean", "float (C,)"),
                Param("running_var", "float (C,), positive"), Param("weight", "float (C,)"),
                Param("bias", "float (C,)"), Param("training", "bool", (True, False)),
                Param("momentum", "float in [0, 1]", (0.1, 0.3)), Param("eps", "float > 0", (1e-5, 0.5))),
        dtypes=FLOATS, forms=("(N, C)", "(N, C, L)", "(N, C, H, W)", "(N, C, D, H, W)"),
        special=("offsets up to 1e3", "running buffers without autograd history after a training call",
                 "float16 values past 256"),
    ),
    "regularization.dropout": Contract(
        params=(Param("x", "float, any shape"), Param("p", "float in [0, 1]", (0.0, 1.0)),
                Param("training", "bool", (True, False))),
        dtypes=FLOATS, forms=("1-D x", "2-D x", "3-D x", "4-D x"),
        special=("mask independent along every dim",),
    ),
    "regularization.label_smoothing": Contract(
        params=(Param("logits", "float (N, C)"), Param("target", "int64 (N,), in [0, C)"),
                Param("smoothing", "float in [0, 1]", (0.0, 0.1, 1.0))),
        dtypes=FLOATS, special=("C = 1", "C = 2", "logits up to 1e4"),
    ),
    "regularization.l1_l2_step": Contract(
        params=(Param("param", "float, any shape"), Param("grad", "float, param's shape"), Param("lr", "float > 0"),
                Param("l1", "float >= 0", (0.0, 0.5)), Param("l2", "float >= 0", (0.0, 0.9))),
        dtypes=FLOATS, forms=("1-D param", "2-D param", "3-D param"), special=("params exactly 0",),
    ),
}

_XAVIER = Contract(params=(Param("tensor", "float, >= 2 dims"), Param("gain", "float > 0", (0.5,))),
                   dtypes=FLOATS, forms=KERNELS, repeated=False)
_KAIMING = Contract(
    params=(Param("tensor", "float, >= 2 dims"), Param("a", "float >= 0 (leaky_relu's negative slope)", (0.5,)),
            Param("mode", '"fan_in" or "fan_out"', ("fan_in", "fan_out")),
            Param("nonlinearity", "a name torch.nn.init.calculate_gain knows", NONLINEARITIES)),
    dtypes=FLOATS, forms=KERNELS,
    special=("the default mode with a conv kernel", 'mode="fan_out" with a Linear weight'), repeated=False)
for _law in ("uniform", "normal"):
    CONTRACTS[f"initialization.xavier_{_law}"] = _XAVIER
    CONTRACTS[f"initialization.kaiming_{_law}"] = _KAIMING
