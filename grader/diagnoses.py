"""What each diagnosis code means, in one paragraph a candidate can act on.

A failing grade names one or more of these codes. The text says what the mistake
usually is and how to fix it; `qkv hint EXERCISE` has exercise-specific hints.
No torch here: the report is written by the parent process.
"""
from __future__ import annotations

EXPLANATIONS: dict[str, tuple[str, str]] = {
    "scale": (
        "wrong scaling factor",
        "The scores must be divided by sqrt(d_k), the per-head key dimension. Dividing by d_k, by "
        "sqrt(d_model), or not at all changes how peaked the softmax is: with d_k-dimensional unit-variance q "
        "and k, q.k has variance d_k, and only 1/sqrt(d_k) brings it back to 1. For positional encodings, "
        "the frequency 1/10000^(2i/d_model) has the wrong exponent or base.",
    ),
    "mask-polarity": (
        "mask polarity inverted",
        "Here True means 'may attend' (as in F.scaled_dot_product_attention). Your code blocks the True "
        "entries and keeps the False ones, the convention of nn.MultiheadAttention's attn_mask. Fill with "
        "-inf where the mask is False: scores.masked_fill(~mask, float('-inf')).",
    ),
    "mask-ignored": (
        "mask ignored",
        "The output does not change when the mask blocks keys. Check that the masked scores are actually used "
        "(masked_fill is not in place: keep its return value) and that the mask reaches the softmax.",
    ),
    "mask-after-softmax": (
        "mask applied after the softmax",
        "Zeroing probabilities after the softmax leaves rows that no longer sum to 1, and masked keys still "
        "influenced the normaliser. Mask the logits before the softmax (set them to -inf), so the kept "
        "entries renormalise among themselves.",
    ),
    "softmax-dim": (
        "softmax over the wrong dimension",
        "Attention weights are a distribution over keys: softmax over the last dim of the (..., Lq, Lk) "
        "scores, so each query's row sums to 1. A softmax over queries (dim=-2) or a hard-coded dim that "
        "ignores the `dim` argument gives columns that sum to 1 instead.",
    ),
    "heads": (
        "heads split or merged wrongly",
        "Splitting must be view(B, L, n_heads, head_dim).transpose(1, 2), and merging the exact inverse: "
        "transpose(1, 2).contiguous().view(B, L, d_model). Reshaping straight to (B, n_heads, L, head_dim) or "
        "back without the transpose mixes positions and heads; so does scaling by the wrong head size.",
    ),
    "projection": (
        "projection missing, unused or fed the wrong input",
        "Each of query, key and value goes through its own projection (w_q, w_k, w_v), and the merged heads "
        "through w_o. A projection created but never applied, or applied to the wrong input (w_k on the "
        "value, or the query used as key), changes the output and leaves a gradient of zero on its weights.",
    ),
    "shape": (
        "wrong handling of batch or sequence dims",
        "The output's shape differs, or it is only right for some shapes: e.g. assuming Lq == Lk, assuming 4-D "
        "input, transposing with .T or dims (1, 2) instead of (-2, -1), squeezing away size-1 dims, or laying "
        "out values in the wrong order (concatenated instead of interleaved).",
    ),
    "device": (
        "tensor created on the wrong device",
        "Some tensor is created on the CPU while the inputs live elsewhere (e.g. torch.arange(n) or "
        "torch.ones(n, n) without device=), so the code fails on a GPU. Create constants with "
        "device=x.device (and dtype=x.dtype), or derive them from the input (x.new_ones, torch.ones_like).",
    ),
    "forbidden": (
        "uses a function the exercise forbids",
        "The exercise asks you to write this yourself: calling the library function that does the whole job "
        "is not graded. Use the basic operations (matmul, softmax, masked_fill, ...) instead.",
    ),
    "polarity": (
        "True and False (or sin and cos) swapped",
        "The result is the logical complement, or the two roles are swapped: True must mark what is allowed / a "
        "real token; for positional encodings sin goes in the even columns and cos in the odd ones; dropout keeps "
        "a unit with probability 1 - p, not p (p is the drop probability).",
    ),
    "off-by-one": (
        "off by one",
        "A boundary is shifted by one: tril/triu with the wrong diagonal (a query must see itself), <= instead "
        "of < against a length, positions starting at 1, or a frequency indexed by the column instead of the "
        "pair index 2i.",
    ),
    "fully-masked": (
        "NaN or non-zero output for a slice with nothing allowed",
        "softmax of a slice whose entries are all -inf is 0/0 = NaN, and its gradient is NaN too, which "
        "poisons every parameter upstream. Fill masked scores with the most negative finite value "
        "(torch.finfo(dtype).min) and zero masked entries afterwards, or zero fully masked slices with a "
        "torch.where that keeps the gradient finite.",
    ),
    "dtype": (
        "wrong dtype",
        "The output dtype must follow the inputs' (float64 in, float64 out), or be the contract's (bool for "
        "masks, float32 for the positional table). Constants created without dtype=, numpy arrays and "
        "Python floats from math silently change it.",
    ),
    "stability": (
        "overflow on large inputs",
        "exp of a large score overflows to inf, and inf / inf is NaN. Subtract the maximum before the "
        "exponential (torch.softmax and torch.logsumexp do this for you).",
    ),
    "variance-bias": (
        "biased and unbiased variance mixed up",
        "Normalise with the biased (population) variance, dividing by n: x.var(unbiased=False) or "
        "((x - mean) ** 2).mean(). torch.var divides by n - 1 by default. BatchNorm's running_var is the one "
        "place that uses the unbiased estimate.",
    ),
    "eps": (
        "eps in the wrong place",
        "eps goes inside the square root: (x - mean) / sqrt(var + eps). sqrt(var) + eps, or no eps at all, "
        "differs exactly where eps matters: rows or channels with a tiny variance (and it divides by zero on "
        "a constant row).",
    ),
    "axis": (
        "statistics over the wrong dims",
        "LayerNorm and RMSNorm normalise each position over its features: the last dim, keepdim=True. BatchNorm "
        "normalises each channel over every dim except 1 (batch and spatial dims). A hard-coded dim that only "
        "works for 2-D input, or a reduction that includes the channel dim, gives the wrong statistics.",
    ),
    "affine": (
        "weight and bias missing, swapped or misapplied",
        "After normalising, scale by weight then add bias: x_hat * weight + bias. Adding the bias before the "
        "scale, swapping the two, using (1 + weight), or leaving them out changes every output.",
    ),
    "centering": (
        "centring wrong",
        "LayerNorm subtracts the mean before dividing; RMSNorm does not subtract anything: x / sqrt(mean(x^2) + "
        "eps) * weight. Subtracting the mean in RMSNorm turns it into LayerNorm without a bias.",
    ),
    "running-stats": (
        "running statistics not updated in place, or with the biased variance",
        "The caller's running_mean and running_var must change in place (running_mean.mul_(1 - m).add_(m * mean) "
        "under torch.no_grad()); `running_mean = ...` only rebinds a local name. running_var takes the UNBIASED "
        "batch variance (times n / (n - 1)), as PyTorch does.",
    ),
    "momentum": (
        "momentum applied the wrong way round",
        "PyTorch's momentum weights the NEW statistic: r = (1 - momentum) * r + momentum * batch_stat. The "
        "opposite (momentum * r + (1 - momentum) * stat) is the convention of some other frameworks.",
    ),
    "train-eval": (
        "training behaviour in eval, or the reverse",
        "In training, BatchNorm normalises with the batch statistics and updates the running ones; in eval it "
        "uses the running statistics and changes nothing. Dropout drops units only in training and is the "
        "identity in eval.",
    ),
    "fan": (
        "wrong fan",
        "fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, with the receptive field the "
        "product of the dims after the first two (an nn.Linear weight is (out_features, in_features)). Swapping "
        "them, ignoring `mode`, ignoring the kernel size, or using fan_in for both in Xavier gives the wrong "
        "spread.",
    ),
    "gain": (
        "gain missing or wrong",
        "Multiply by the gain: the `gain` argument for Xavier; calculate_gain(nonlinearity, a) for Kaiming "
        "(sqrt(2 / (1 + a^2)) for leaky_relu, sqrt(2) for relu, 5/3 for tanh). Ignoring it, or using ReLU's "
        "sqrt(2) for every nonlinearity, changes the std.",
    ),
    "bound": (
        "wrong constant in the bound or the std",
        "A uniform U(-b, b) has std b / sqrt(3). Xavier's bound is gain * sqrt(6 / (fan_in + fan_out)); "
        "Kaiming's is gain * sqrt(3 / fan). normal_(mean, std) takes a standard deviation: passing the variance "
        "(2 / fan) or the std as the uniform bound gives the wrong spread.",
    ),
    "distribution": (
        "normal instead of uniform, or the reverse",
        "The *_uniform_ initialisers draw from U(-b, b) (tensor.uniform_), the *_normal_ ones from N(0, std^2) "
        "(tensor.normal_). With the right std the two still differ in shape, which a KS test sees.",
    ),
    "mask-shared": (
        "one dropout mask shared across the batch",
        "Every element gets its own independent draw: a mask of x's full shape (torch.rand_like(x) > p). A mask "
        "of shape (1, D), or one drawn once and reused, drops the same features for every sample.",
    ),
    "edge": (
        "edge case mishandled",
        "Edge values of the arguments need care: dropout with p = 0 is the identity and p = 1 gives zeros (1 / "
        "(1 - p) is infinite, and 0 * inf = NaN); sign(0) = 0 for the L1 gradient (torch.sign), not 1 and not "
        "0 / 0.",
    ),
    "smoothing-mass": (
        "label-smoothing mass wrong",
        "PyTorch's smoothed target puts 1 - s on the true class plus s / C on EVERY class (true one included), so "
        "it sums to 1. s / (C - 1) on the other classes only is a different convention; a target that does not "
        "sum to 1 is a bug.",
    ),
    "reduction": (
        "sum instead of mean over the batch",
        "The loss is the mean over the N examples, as F.cross_entropy's default reduction='mean'. Summing makes "
        "it (and the gradient) N times too large.",
    ),
    "sign": (
        "sign wrong",
        "Check each sign: the cross-entropy is -sum q log p (positive); the L1 gradient is l1 * sign(w) (not "
        "l1 * w, which is L2's form); the SGD step subtracts lr * gradient.",
    ),
    "inplace": (
        "modifies its inputs or does not work in place",
        "A function must not change tensors it was given unless the contract says so (masked_fill_, +=, sub_ "
        "and slice assignment on an argument do). In-place initialisers must fill and return the tensor they "
        "were given (under torch.no_grad(), so a Parameter can be filled).",
    ),
}


def explain(code: str) -> tuple[str, str]:
    """(title, paragraph) for a diagnosis code."""
    return EXPLANATIONS.get(code, (code, ""))
