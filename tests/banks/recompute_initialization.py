"""Recompute every numeric answer of questions/initialization.yaml.

Each entry rebuilds the quantity its question asks for from PyTorch: the bound of
U(-b, b) read off a tensor that torch.nn.init (or nn.Linear's own reset_parameters)
has just filled, the fans and gains torch.nn.init computes, a distribution's
variance, or a gradient from autograd. The variance-propagation answers use their
closed form, checked against a Monte-Carlo estimate or a numerical integral. The µP
answers take the width multiplier from the layers' fans, as the mup package does; the
parameter counts sum the parameters of modules built on the meta device. Inputs are
the numbers stated in each prompt; no entry returns the stored answer.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
from scipy import integrate, stats
from torch import nn
from torch.nn import init


def _sampled_bound(tensor: torch.Tensor) -> float:
    """Largest |w| of a tensor filled from U(-b, b): b up to about b / numel."""
    return tensor.abs().max().item()


def _fans(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) exactly as torch.nn.init computes them."""
    return init._calculate_fan_in_and_fan_out(tensor)


def _seeded() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def activation_variance_after_layers() -> float:
    """Var after 10 linear 512 -> 512 layers with weight std 0.05 and unit-variance input."""
    n_in, weight_std, depth, input_var = 512, 0.05, 10, 1.0
    per_layer = n_in * weight_std**2  # Var(y) = n_in Var(w) Var(x)
    # Monte-Carlo check of one layer: y = sum_i w_i x_i with fresh w and x per sample.
    gen, samples = _seeded(), 5_000
    w = torch.randn(samples, n_in, generator=gen, dtype=torch.float64) * weight_std  # (S, n_in)
    x = torch.randn(samples, n_in, generator=gen, dtype=torch.float64) * math.sqrt(input_var)  # (S, n_in)
    measured = (w * x).sum(dim=1).var().item() / input_var  # (S,) -> scalar
    std_error = per_layer * math.sqrt(2 / samples)  # Var estimator of a near-Gaussian sum
    assert abs(measured - per_layer) <= 6 * std_error, f"per-layer factor {per_layer} vs sampled {measured}"
    return per_layer**depth * input_var


def relu_depth_shrink_factor() -> float:
    """E[x^2] / E[h_10^2] for 10 blocks Linear(512, 512) + ReLU with Var(w) = 1/512."""
    n_in, weight_var, depth = 512, 1 / 512, 10
    # Second moment that ReLU keeps of a standard normal pre-activation, by numerical integration.
    relu_second_moment, _ = integrate.quad(lambda z: z * z * stats.norm.pdf(z), 0, math.inf)
    per_block = n_in * weight_var * relu_second_moment  # E[h_l^2] / E[h_{l-1}^2]
    return 1 / per_block**depth


def sigmoid_max_derivative() -> float:
    """max over x of sigma'(x), from autograd on a grid that contains 0."""
    x = torch.linspace(-10, 10, 20_001, dtype=torch.float64, requires_grad=True)  # (G,)
    torch.sigmoid(x).sum().backward()
    return x.grad.max().item()


def xavier_uniform_bound() -> float:
    """b of xavier_uniform_ for fan_in 256, fan_out 512 (weight shape (512, 256))."""
    weight = torch.empty(512, 256)  # (fan_out, fan_in)
    assert _fans(weight) == (256, 512)
    return _sampled_bound(init.xavier_uniform_(weight, generator=_seeded()))


def uniform_variance() -> float:
    """Var of U(-0.3, 0.3)."""
    return torch.distributions.Uniform(-0.3, 0.3).variance.item()


def tanh_xavier_bound() -> float:
    """b of xavier_uniform_ with the tanh gain on an nn.Linear(300, 300) weight."""
    weight = torch.empty(300, 300)  # nn.Linear(300, 300).weight: (out_features, in_features)
    gain = init.calculate_gain("tanh")
    return _sampled_bound(init.xavier_uniform_(weight, gain=gain, generator=_seeded()))


def kaiming_normal_std_conv() -> float:
    """std that kaiming_normal_(mode='fan_in', nonlinearity='relu') uses for a (128, 64, 3, 3) weight."""
    fan_in, _ = _fans(torch.empty(128, 64, 3, 3))
    return init.calculate_gain("relu") / math.sqrt(fan_in)


def leaky_relu_gain() -> float:
    return init.calculate_gain("leaky_relu", 0.2)


def conv_fan_out() -> float:
    _, fan_out = _fans(torch.empty(64, 32, 5, 5))
    return float(fan_out)


def grouped_conv_fan_in() -> float:
    fan_in, _ = _fans(nn.Conv2d(64, 128, kernel_size=3, groups=4).weight)
    return float(fan_in)


def default_linear_std() -> float:
    """std of nn.Linear(256, 1024)'s default weights: bound read off the layer, then b / sqrt(3)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        bound = _sampled_bound(nn.Linear(256, 1024).weight.detach())  # (1024, 256)
    return torch.distributions.Uniform(-bound, bound).stddev.item()


def gpt2_residual_std() -> float:
    """nanoGPT's c_proj std, 0.02 / sqrt(N), with N = 2 residual branches per block and 48 blocks."""
    base_std, n_layer, branches_per_block = 0.02, 48, 2
    return base_std / math.sqrt(branches_per_block * n_layer)


def _mup_width_mult(base: nn.Linear, target: nn.Linear) -> float:
    """mup's width multiplier of a weight: its fan_in over the same layer's fan_in in the base model."""
    return _fans(target.weight)[0] / _fans(base.weight)[0]


def mup_adam_hidden_lr() -> float:
    """Adam LR of the attention output projection at d_model 4096 from base LR 3e-3 at 256, times 1e4."""
    base_lr = 3e-3
    base = nn.Linear(256, 256, device="meta")  # attention output projection of the proxy: (d, d)
    target = nn.Linear(4096, 4096, device="meta")
    return base_lr / _mup_width_mult(base, target) * 1e4


def mup_output_multiplier() -> float:
    """alpha_out / m for the readout of a d_model 3072 model, alpha_out = 4.0 tuned at d_model 128."""
    alpha_out, vocab = 4.0, 1000  # the vocabulary size does not enter the width multiplier
    base = nn.Linear(128, vocab, device="meta")  # readout: (vocab, d_model)
    target = nn.Linear(3072, vocab, device="meta")
    return alpha_out / _mup_width_mult(base, target)


def mup_attention_scale_ratio() -> float:
    """(q . k * 8 / d) / (q . k / sqrt(d)) at d_head 128, from actual scores."""
    d_head = 128
    gen = _seeded()
    q = torch.randn(16, d_head, generator=gen, dtype=torch.float64)  # (Lq, d)
    k = torch.randn(16, d_head, generator=gen, dtype=torch.float64)  # (Lk, d)
    mup_scores = q @ k.T * 8 / d_head  # (Lq, Lk)
    standard_scores = q @ k.T / math.sqrt(d_head)  # (Lq, Lk)
    ratio = mup_scores / standard_scores  # (Lq, Lk), the same everywhere
    assert torch.allclose(ratio, ratio[0, 0].expand_as(ratio))
    return ratio[0, 0].item()


def xavier_normal_std_conv() -> float:
    """std of xavier_normal_ (gain 1) on a (64, 32, 3, 3) conv weight; checked against a sample."""
    weight = torch.empty(64, 32, 3, 3)  # (out_channels, in_channels, kH, kW)
    fan_in, fan_out = _fans(weight)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    sampled = init.xavier_normal_(weight, generator=_seeded()).std().item()
    assert abs(sampled - std) <= 0.03 * std, f"xavier_normal_ sampled std {sampled} vs formula {std}"
    return std


def residual_stream_std_scaled() -> float:
    """std of the residual stream after 12 blocks x 2 branches, each unit-variance branch scaled by 1/sqrt(24)."""
    n_blocks, branches_per_block = 12, 2
    n_branches = n_blocks * branches_per_block
    branch_scale = 1 / math.sqrt(n_branches)
    closed_form = math.sqrt(1 + n_branches * branch_scale**2)
    # Monte-Carlo check: a unit-variance stream plus independent unit-variance branch outputs.
    gen, samples = _seeded(), 200_000
    stream = torch.randn(samples, generator=gen, dtype=torch.float64)  # (S,)
    for _ in range(n_branches):
        stream = stream + branch_scale * torch.randn(samples, generator=gen, dtype=torch.float64)
    assert abs(stream.std().item() - closed_form) < 0.01, f"sampled {stream.std().item()} vs {closed_form}"
    return closed_form


def _sinusoidal_pe(positions: int, d_model: int) -> torch.Tensor:
    """The table of Vaswani et al. sec. 3.5: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)."""
    pos = torch.arange(positions, dtype=torch.float64)[:, None]  # (P, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (d/2,)
    angle = pos / 10000 ** (two_i / d_model)  # (P, d/2)
    pe = torch.empty(positions, d_model, dtype=torch.float64)  # (P, d)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe


def pe_vs_embedding_norm() -> float:
    """||PE(37)||^2 over E||e||^2 for a d_model 512 embedding row drawn from N(0, 1/512)."""
    d_model, position = 512, 37
    pe_squared_norm = _sinusoidal_pe(position + 1, d_model)[position].pow(2).sum().item()
    row_variance = 1 / d_model
    expected_row_squared_norm = d_model * row_variance  # E||e||^2 = sum of d variances
    # Monte-Carlo check on an actual embedding matrix initialized that way.
    emb = nn.Embedding(4096, d_model, dtype=torch.float64)
    init.normal_(emb.weight, 0.0, math.sqrt(row_variance), generator=_seeded())
    sampled = emb.weight.detach().pow(2).sum(dim=1).mean().item()  # (V, d) -> (V,) -> scalar
    assert abs(sampled - expected_row_squared_norm) < 0.01, f"sampled squared row norm {sampled}"
    return pe_squared_norm / expected_row_squared_norm


def tied_embedding_params_saved() -> float:
    """Parameters of an untied GPT-2 small output layer: Linear(768, 50257, bias=False)."""
    head = nn.Linear(768, 50257, bias=False, device="meta")  # weight: (vocab, d_model)
    assert head.weight.shape == nn.Embedding(50257, 768, device="meta").weight.shape
    return float(sum(p.numel() for p in head.parameters()))


def _gpt2_small(device: str = "meta") -> nn.ModuleDict:
    """GPT-2 small's parameter tensors (vocab 50257, d 768, 12 layers, 1024 positions, tied head)."""
    vocab, d, n_layer, n_ctx = 50257, 768, 12, 1024

    def block() -> nn.ModuleDict:
        return nn.ModuleDict({
            "ln_1": nn.LayerNorm(d, device=device),
            "c_attn": nn.Linear(d, 3 * d, device=device),
            "attn_c_proj": nn.Linear(d, d, device=device),
            "ln_2": nn.LayerNorm(d, device=device),
            "c_fc": nn.Linear(d, 4 * d, device=device),
            "mlp_c_proj": nn.Linear(4 * d, d, device=device),
        })

    return nn.ModuleDict({
        "wte": nn.Embedding(vocab, d, device=device),  # shared with the output layer: no separate head
        "wpe": nn.Embedding(n_ctx, d, device=device),
        "h": nn.ModuleList(block() for _ in range(n_layer)),
        "ln_f": nn.LayerNorm(d, device=device),
    })


def gpt2_embedding_share() -> float:
    """Token-embedding share (%) of GPT-2 small's 124,439,808 parameters."""
    model = _gpt2_small()
    total = sum(p.numel() for p in model.parameters())
    assert total == 124_439_808, f"GPT-2 small rebuilt with {total} parameters"
    return 100 * model["wte"].weight.numel() / total


def llama_untied_embedding_params() -> float:
    """Millions of parameters in LLaMA-7B's untied embedding and output matrices (vocab 32000, d 4096)."""
    vocab, d = 32000, 4096
    embedding = nn.Embedding(vocab, d, device="meta")  # (V, d)
    output = nn.Linear(d, vocab, bias=False, device="meta")  # (V, d)
    return sum(p.numel() for m in (embedding, output) for p in m.parameters()) / 1e6


RECOMPUTE: dict[str, Callable[[], float]] = {
    "initialization.activation-variance-after-layers": activation_variance_after_layers,
    "initialization.relu-depth-shrink-factor": relu_depth_shrink_factor,
    "initialization.sigmoid-max-derivative": sigmoid_max_derivative,
    "initialization.xavier-uniform-bound": xavier_uniform_bound,
    "initialization.uniform-variance": uniform_variance,
    "initialization.tanh-xavier-bound": tanh_xavier_bound,
    "initialization.kaiming-normal-std-conv": kaiming_normal_std_conv,
    "initialization.leaky-relu-gain": leaky_relu_gain,
    "initialization.conv-fan-out": conv_fan_out,
    "initialization.grouped-conv-fan-in": grouped_conv_fan_in,
    "initialization.default-linear-std": default_linear_std,
    "initialization.gpt2-residual-std": gpt2_residual_std,
    "initialization.mup-adam-hidden-lr": mup_adam_hidden_lr,
    "initialization.mup-output-multiplier": mup_output_multiplier,
    "initialization.mup-attention-scale-ratio": mup_attention_scale_ratio,
    "initialization.xavier-normal-std-conv": xavier_normal_std_conv,
    "initialization.residual-stream-std-scaled": residual_stream_std_scaled,
    "initialization.pe-vs-embedding-norm": pe_vs_embedding_norm,
    "initialization.tied-embedding-params-saved": tied_embedding_params_saved,
    "initialization.gpt2-embedding-share": gpt2_embedding_share,
    "initialization.llama-untied-embedding-params": llama_untied_embedding_params,
}
