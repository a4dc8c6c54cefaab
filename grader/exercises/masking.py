"""Checks for masking.causal_mask, padding_mask, masked_softmax and decoder_mask.

Masks compare exactly (they are booleans); the masked softmax compares with the
engine's tolerance policy, and must also give exact zeros, finite values and gradients
for fully masked slices, and stay stable for scores of magnitude 1e4.
"""
from __future__ import annotations

import functools

import torch
from hypothesis import strategies as st

from qkv.grader.checking import Case, CheckFailed, describe_call, for_all, generator, tensor_seed
from qkv.grader.exercises import FunctionTask, covering, in_dtype, omitting
from qkv.grader.exercises.attention import HUGE_COVERS, huge_scores, one_key_per_row
from qkv.grader.properties import (HUGE_SCORES, Check, follows_float64, gradients_match_reference, kept_by_shape,
                               leaves_inputs_unchanged, matches_on, matches_reference, repeated_calls, run_candidate,
                               smoke, stays_on_device)
from qkv.reference import masking as ref

# --- inputs ------------------------------------------------------------------------------


@st.composite
def seq_len_inputs(draw):
    return Case((draw(st.integers(1, 40)), None), ("seq_len", "device"))


@st.composite
def lengths_inputs(draw):
    """Lengths as a drawn list, so a failure shrinks to readable lengths (0 and max_len included)."""
    max_len = draw(st.integers(1, 12))
    lengths = draw(st.lists(st.integers(0, max_len), min_size=1, max_size=4))
    return Case((torch.tensor(lengths, dtype=torch.int64), max_len), ("lengths", "max_len"))


def block_one_slice(mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Mask out the whole slice along `dim` at index 0 of every other dim."""
    index = [0] * mask.dim()
    index[dim] = slice(None)
    mask[tuple(index)] = False
    return mask


def _lengths_case(lengths, max_len):
    return lambda: Case((torch.tensor(lengths, dtype=torch.int64), max_len), ("lengths", "max_len"))


@st.composite
def softmax_inputs(draw, magnitude=1.0, fully_masked=False, dims=None):
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    dim = draw(st.sampled_from(dims or list(range(-len(shape), len(shape)))))
    # The mask may broadcast: any dim of it may be 1, and it may have fewer dims (broadcast from the right).
    mask_shape = [1 if draw(st.booleans()) and draw(st.booleans()) else n for n in shape]
    mask_shape = mask_shape[draw(st.integers(0, len(shape) - 1)) if draw(st.booleans()) else 0:]
    seed = draw(tensor_seed())
    gen = generator(seed)
    scores = torch.randn(*shape, generator=gen) * magnitude
    mask = torch.rand(*mask_shape, generator=gen) < 0.6
    if fully_masked:
        mask = block_one_slice(mask.expand(*shape).clone(), dim)
    note = f"dim={dim}" + (f", scores up to {magnitude:g}" if magnitude > 1 else "") + \
        (", a fully masked slice" if fully_masked else "")
    covers = ("special:scores up to 1e4",) if magnitude >= 1e4 else ("special:a fully masked slice",) \
        if fully_masked else ()
    return Case((scores, mask, dim), ("scores", "mask", "dim"), note, seed,
                {"condition": 4 * magnitude, "covers": covers})


# --- known bugs --------------------------------------------------------------------------


def causal_variant(seq_len, device=None, *, diagonal=0, inverted=False):
    upper = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device)
    mask = upper.tril(diagonal)
    return ~mask if inverted else mask


def padding_variant(lengths, max_len, *, compare="lt", inverted=False, first=0):
    positions = torch.arange(first, max_len + first, device=lengths.device)[None, :]  # (1, L)
    mask = positions <= lengths[:, None] if compare == "le" else positions < lengths[:, None]  # (B, L)
    return ~mask if inverted else mask


def decoder_variant(lengths, max_len, *, diagonal=0, inverted=False, pad_rows=False, compare="lt"):
    causal = causal_variant(max_len, lengths.device, diagonal=diagonal)  # (L, L)
    keys = padding_variant(lengths, max_len, compare=compare)  # (B, L)
    keys = keys[:, None, :, None] if pad_rows else keys[:, None, None, :]
    mask = causal[None, None] & keys
    return ~mask if inverted else mask


def softmax_variant(scores, mask, dim=-1, *, how="before", fix_nan=True, stable=True, fill=float("-inf")):
    if how == "empty-last-dim":  # fully masked slices looked for along the last dim, whatever `dim` is
        probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=dim)
        return torch.where(mask.any(-1, keepdim=True), probs, torch.zeros_like(probs))
    if how == "multiply":  # AllenNLP: masked scores zeroed by multiplication, then renormalised
        keep = mask.to(scores.dtype)
        probs = torch.softmax(scores * keep, dim=dim) * keep
        return probs / (probs.sum(dim=dim, keepdim=True) + 1e-13)
    if how == "additive":  # old HF BERT: a bias of `fill` on masked scores, then the masked entries zeroed
        probs = torch.softmax(scores + (~mask).to(scores.dtype) * fill, dim=dim)
        return probs.masked_fill(~mask, 0.0)
    if how == "max-all":  # the stabilising max taken over every entry, masked ones too: when a masked score is
        # far above the kept ones, every kept exp underflows to 0 and the slice comes out as zeros
        kept = torch.exp(scores - scores.amax(dim=dim, keepdim=True)) * mask
        return kept / kept.sum(dim=dim, keepdim=True).clamp_min(torch.finfo(scores.dtype).tiny)
    if how == "ignored":
        probs = torch.softmax(scores, dim=dim)
    elif how == "after":
        probs = torch.softmax(scores, dim=dim) * mask
    elif how == "last-dim":
        probs = ref.masked_softmax(scores, mask, dim=-1)
    else:
        keep = ~mask if how == "inverted" else mask
        filled = scores.masked_fill(~keep, fill)
        if stable:
            probs = torch.softmax(filled, dim=dim)
        else:
            probs = filled.exp() / filled.exp().sum(dim=dim, keepdim=True)
        if fix_nan:
            probs = probs.nan_to_num(0.0)
        if how == "zeroed":
            probs = probs.masked_fill(~mask, 0.0)
    return probs


CAUSAL_BUGS = {"polarity": [functools.partial(causal_variant, inverted=True),
                            functools.partial(causal_variant, diagonal=-1, inverted=True)],
               "off-by-one": [functools.partial(causal_variant, diagonal=-1),
                              functools.partial(causal_variant, diagonal=1)]}
PADDING_BUGS = {"polarity": [functools.partial(padding_variant, inverted=True),
                             functools.partial(padding_variant, compare="le", inverted=True)],
                "off-by-one": [functools.partial(padding_variant, compare="le"),
                               functools.partial(padding_variant, first=1)]}
DECODER_BUGS = {"polarity": [functools.partial(decoder_variant, inverted=True)],
                "off-by-one": [functools.partial(decoder_variant, diagonal=-1),
                               functools.partial(decoder_variant, diagonal=1),
                               functools.partial(decoder_variant, compare="le")],
                # key padding on the rows (queries i < length) instead of the columns (keys j < length): the
                # shape is right, the padding is along the other axis
                "axis": [functools.partial(decoder_variant, pad_rows=True)]}
SOFTMAX_BUGS = {"mask-ignored": [functools.partial(softmax_variant, how="ignored")],
                "mask-after-softmax": [functools.partial(softmax_variant, how="after")],
                "mask-polarity": [functools.partial(softmax_variant, how="inverted")],
                "mask-multiply": [functools.partial(softmax_variant, how="multiply")],
                "softmax-dim": [functools.partial(softmax_variant, how="last-dim"),
                                functools.partial(softmax_variant, how="empty-last-dim")],
                "stability": [functools.partial(softmax_variant, how="max-all")],
                "fully-masked": [functools.partial(softmax_variant, fix_nan=False),  # NaN
                                 functools.partial(softmax_variant, fill=-1e9)],  # uniform weights
                # a finite fill (or bias) that allowed scores can fall below, masked entries zeroed after; on the
                # huge-score case every such constant above -2e5 gives the same output
                "fill-value": [functools.partial(softmax_variant, how="zeroed", fill=-1e4),
                               functools.partial(softmax_variant, how="additive", fill=-1e4)]}


# --- properties --------------------------------------------------------------------------


def masked_entries_exactly_zero(cases) -> Check:
    def run(ctx):
        def prop(case):
            _, (probs,) = run_candidate(ctx, case)
            scores, mask, dim = case.args
            if probs.shape != scores.shape:
                return  # the reference comparison reports the shape
            mask = mask.expand(scores.shape).to(probs.device)
            empty = ~mask.any(dim=dim, keepdim=True).expand(scores.shape)  # entries of fully masked slices
            probs = probs.detach()
            for where, what in ((~mask & ~empty, "A masked entry of a slice with kept entries"),
                                (empty, "An entry of a fully masked slice")):
                bad = where & (probs != 0)
                if bad.any():
                    value = probs[bad][0].item()
                    raise CheckFailed(f"Called {describe_call(ctx, case)}.\n{what} came back as {value:.3g}, not "
                                      "exactly 0 (a large negative fill such as -1e9 leaves tiny or uniform "
                                      "weights; an -inf fill gives NaN where nothing is kept).", case)

        for_all(ctx, cases, prop)

    return Check("masked entries are exactly 0", run)


# --- the tasks ---------------------------------------------------------------------------


def _softmax_probes():
    cases = []
    for seed, dim in enumerate([-1, 0, 1]):
        gen = generator(200 + seed)
        scores = torch.randn(3, 4, 5, generator=gen)
        mask = block_one_slice(torch.rand(3, 4, 5, generator=gen) < 0.6, dim)
        cases.append(Case((scores, mask, dim), ("scores", "mask", "dim"), f"dim={dim}", seed))
    return cases


def _softmax_case(shape, mask_shape, dim, seed, *covers, empty_row=False):
    gen = generator(900 + seed)
    scores = torch.randn(*shape, generator=gen)  # (...)
    mask = torch.rand(*mask_shape, generator=gen) < 0.6  # broadcastable to scores
    if empty_row:
        mask[(0,) * (mask.dim() - 1)] = False  # a fully masked slice along the last dim
    note = f"dim={dim}, mask {tuple(mask_shape)}" + (", a fully masked slice" if empty_row else "")
    return covering(Case((scores, mask, dim), ("scores", "mask", "dim"), note, seed), *covers)


def _softmax_forms():
    return [_softmax_case((5,), (5,), 0, 0, "form:1-D scores", "form:mask of the scores' shape"),
            _softmax_case((3, 4), (3, 1), -1, 1, "form:2-D scores", "form:mask with size-1 dims"),
            _softmax_case((2, 3, 4), (3, 4), 0, 2, "form:3-D scores", "form:mask broadcast from the right (fewer dims)",
                          "form:dim a dim the mask does not have"),
            _softmax_case((2, 2, 3, 4), (4,), 1, 3, "form:4-D scores")]


def _softmax_dtypes():
    return [in_dtype(_softmax_case((2, 3, 4), (3, 4), -1, 4 + i, empty_row=True), dtype)
            for i, dtype in enumerate((torch.float16, torch.bfloat16, torch.float64))]


def _softmax_default_dim():
    """dim left to its default on 3-D scores (on 2-D ones a default of 1 would pass for -1), in float64."""
    return omitting(in_dtype(_softmax_case((2, 3, 5), (3, 5), -1, 8), torch.float64), 2)


def _softmax_huge():
    """One kept entry in each slice along dim 1, every masked score +2e5, the kept ones -2e5, -5e3 and +5e3 in
    turn (attention.huge_scores), except the slices of the last column: kept score 0, masked ones 300. The right
    answer is exactly one-hot, and a finite fill above -2e5 (-1e4, -10000.0, -65504), a bias of -1e4,
    AllenNLP's scores * mask and a stabilising maximum taken over the masked scores too (every kept exp
    underflows, in the last column as well) each give another output."""
    gen = generator(910)
    mask = one_key_per_row([2], 3, 5, gen, dim=1)  # (2, 3, 5), one kept entry per slice along dim 1
    scores = huge_scores(mask, 1)
    scores[..., -1] = torch.where(mask[..., -1], 0.0, 300.0)
    case = Case((scores, mask, 1), ("scores", "mask", "dim"), "dim=1, one kept entry per slice, its score -2e5, "
                "-5e3 or 5e3 and every masked one 2e5; in the last column kept 0 and masked 300", 910)
    return [covering(case, HUGE_COVERS)]


def _long(case: Case) -> Case:
    """A long case: index arithmetic in a narrow dtype (a uint8 or float16 arange) breaks only there."""
    case.note = f"{case.note}, a long sequence" if case.note else "a long sequence"
    return covering(case, "long")


def _lengths_contract(max_len: int, long: int):
    """Lengths 0 and max_len, then a long case (a sequence of `long` positions)."""
    return lambda: [covering(_lengths_case([0, max_len, 2], max_len)(), "special:length 0", "special:length max_len"),
                    _long(_lengths_case([long, 7, 0], long)())]


_LENGTHS = lengths_inputs()
_SOFTMAX = softmax_inputs()

CAUSAL = FunctionTask(
    call_name="causal_mask",
    reference=ref.causal_mask,
    outputs=("mask",),
    variants=CAUSAL_BUGS,
    probes=lambda: [Case((5, None), ("seq_len", "device")), Case((2, None), ("seq_len", "device"))],
    device_argument=1,
    checks=[
        smoke(lambda: Case((3, None), ("seq_len", "device"))),
        matches_reference("matches the causal mask for lengths 1 to 40", seq_len_inputs()),
        matches_on("length 1, a long sequence (2,100) and the default device",
                   lambda: [covering(Case((1, None), ("seq_len", "device")), "form:seq_len 1"),
                            _long(Case((2100, None), ("seq_len", "device"))),
                            omitting(Case((5, None), ("seq_len", "device")), 1)]),
        repeated_calls(lambda: (Case((6, None), ("seq_len", "device")), Case((3, None), ("seq_len", "device")))),
        stays_on_device(lambda: Case((4, None), ("seq_len", "device"))),
    ],
)

def lengths_task(call_name: str, reference, variants: dict, what: str, long: int) -> FunctionTask:
    """A mask built from sequence lengths: exact values, inputs left alone, nothing made on the CPU."""
    return FunctionTask(
        call_name=call_name,
        reference=reference,
        outputs=("mask",),
        variants=variants,
        probes=lambda: [_lengths_case([3, 0, 5], 5)(), _lengths_case([1, 4], 6)()],
        confirm=kept_by_shape(lambda: (_lengths_case([3, 19, 7, 0, 11, 2, 5], 19)(),
                                       _lengths_case([8, 1, 19, 4, 0, 16, 9], 19)())),
        checks=[
            smoke(_lengths_case([2, 3], 4)),
            matches_reference(f"matches {what}, lengths 0 and max_len included", _LENGTHS),
            matches_on(f"lengths 0 and max_len, and a long sequence ({long:,} positions)", _lengths_contract(6, long)),
            repeated_calls(lambda: (_lengths_case([3, 1], 4)(), _lengths_case([2, 5, 0], 6)(),
                                    _lengths_case([1, 4], 4)())),
            leaves_inputs_unchanged(_LENGTHS),
            stays_on_device(_lengths_case([2, 0, 3], 3),
                            lambda: (_lengths_case([2, 0, 13, 4, 7], 13)(), _lengths_case([5, 17, 1, 0, 9, 3], 17)())),
        ],
    )


PADDING = lengths_task("padding_mask", ref.padding_mask, PADDING_BUGS, "the padding mask", 2100)
DECODER = lengths_task("decoder_self_attention_mask", ref.decoder_self_attention_mask, DECODER_BUGS,
                       "causal AND key padding", 1100)

MASKED_SOFTMAX = FunctionTask(
    call_name="masked_softmax",
    reference=ref.masked_softmax,
    outputs=("probs",),
    variants=SOFTMAX_BUGS,
    probes=_softmax_probes,
    confirm=kept_by_shape(lambda: (_softmax_case((2, 12, 13), (12, 13), -1, 14),
                                   _softmax_case((2, 12, 13), (12, 13), -1, 15))),
    degenerate=lambda case: "one entry along dim" if case.args[0].dim() and case.args[0].size(case.args[2]) == 1
    else "",
    checks=[
        smoke(lambda: _softmax_probes()[0]),
        matches_reference("matches the reference over the last dim", softmax_inputs(dims=[-1])),
        matches_reference("matches the reference over any dim", _SOFTMAX),
        masked_entries_exactly_zero(_SOFTMAX),
        matches_reference("a fully masked slice gives zeros, not NaN", softmax_inputs(fully_masked=True),
                          ("fully-masked",)),
        matches_reference("stable for scores up to 1e4", softmax_inputs(magnitude=1e4), extreme_codes=("stability",)),
        matches_on(HUGE_SCORES, _softmax_huge, extreme_codes=("stability",)),
        gradients_match_reference(softmax_inputs(fully_masked=True)),
        matches_on("every rank (1-4 dims) and mask form (size-1 dims, fewer dims, dim not in the mask)",
                   _softmax_forms),
        matches_on("float16 and bfloat16 keep their dtype, with a fully masked slice, and dim left to its default",
                   lambda: _softmax_dtypes() + [_softmax_default_dim()]),
        matches_on("a long slice (2,048 entries)", lambda: [_long(_softmax_case((2, 2048), (2, 2048), -1, 9))]),
        repeated_calls(lambda: (_softmax_forms()[2], _softmax_case((4, 3), (4, 3), 0, 10),
                                _softmax_case((2, 3, 4), (3, 4), 0, 11))),
        follows_float64(_SOFTMAX),
        leaves_inputs_unchanged(_SOFTMAX),
        stays_on_device(lambda: _softmax_probes()[0],
                        lambda: (_softmax_case((2, 7, 6), (7, 6), -1, 12), _softmax_case((3, 8, 6), (8, 6), -1, 13))),
    ],
)

TASKS = {"masking.causal_mask": CAUSAL, "masking.padding_mask": PADDING,
         "masking.masked_softmax": MASKED_SOFTMAX, "masking.decoder_mask": DECODER}
