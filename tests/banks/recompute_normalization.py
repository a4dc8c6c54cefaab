"""Recompute every numeric answer of questions/normalization.yaml.

Each function rebuilds the setting its question describes and reads the answer
off PyTorch: a layer's output, its buffers after a forward pass, a parameter
count, or a gradient from autograd. Where the answer is a published rule rather
than a layer's behaviour (DeepNet's alpha and beta, LLaMA's FFN width, variances
adding along a residual stream), the function evaluates that rule from the
prompt's inputs. `RECOMPUTE` maps question ids to them.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


def _batch_norm_after_one_step(batch: list[float], *, momentum: float) -> tuple[nn.BatchNorm1d, torch.Tensor]:
    """One training-mode forward of a fresh BatchNorm1d(1) (running_mean 0, running_var 1)."""
    bn = nn.BatchNorm1d(1, momentum=momentum)
    out = bn(torch.tensor(batch).unsqueeze(1))  # (N,) -> (N, 1)
    return bn, out


def _num_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def unbiased_variance_running_var() -> float:
    # momentum=1 makes running_var exactly the variance BatchNorm feeds into its update
    bn, _ = _batch_norm_after_one_step([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], momentum=1.0)
    return bn.running_var.item()


def batch_norm_running_var_update() -> float:
    bn, _ = _batch_norm_after_one_step([1.0, 2.0, 3.0, 4.0], momentum=0.1)
    return bn.running_var.item()


def batch_of_two_output() -> float:
    _, out = _batch_norm_after_one_step([3.0, 10.0], momentum=0.1)
    return out[0, 0].item()


def batch_norm_state_dict_size() -> float:
    return sum(t.numel() for t in nn.BatchNorm2d(64).state_dict().values())


def eps_zero_variance() -> float:
    bn = nn.BatchNorm1d(1, eps=1e-5).eval()
    bn.running_mean.fill_(2.0)
    bn.running_var.zero_()
    with torch.no_grad():
        return bn(torch.tensor([[2.01]])).item()  # (1, 1)


def layer_norm_output_entry() -> float:
    ln = nn.LayerNorm(4, eps=1e-5)
    with torch.no_grad():
        ln.weight.fill_(2.0)
        ln.bias.fill_(0.5)
        return ln(torch.tensor([1.0, 2.0, 3.0, 4.0]))[-1].item()


def layer_norm_param_count() -> float:
    return _num_params(nn.LayerNorm(768))


def group_norm_statistics_count() -> float:
    n, c, h, w, groups = 8, 64, 16, 16, 4
    x = torch.randn(n, c, h, w)
    # aten's group norm also returns the per-(sample, group) mean it computed
    _, mean, _ = torch.native_group_norm(x, None, None, n, c, h * w, groups, 1e-5)
    return mean.numel()


def rms_norm_output_entry() -> float:
    with torch.no_grad():
        return nn.RMSNorm(4, eps=1e-6)(torch.tensor([1.0, 2.0, 3.0, 4.0]))[-1].item()


def llama_rmsnorm_param_count() -> float:
    d_model, n_layers = 4096, 32
    norms = nn.ModuleDict({
        "layers": nn.ModuleList(
            nn.ModuleDict({"attention_norm": nn.RMSNorm(d_model), "ffn_norm": nn.RMSNorm(d_model)})
            for _ in range(n_layers)
        ),
        "norm": nn.RMSNorm(d_model),  # final norm after the last layer
    })
    return _num_params(norms)


def residual_gradient_product() -> float:
    h0 = torch.tensor(1.0, requires_grad=True)
    h = h0
    for _ in range(10):
        h = h + 0.05 * h  # h_{l+1} = h_l + F_l(h_l) with F_l(h) = 0.05 h
    (grad,) = torch.autograd.grad(h, h0)
    return grad.item()


# ---------------------------------------------------------------- DeepNorm and deep pre-LN stacks
def _deepnorm_decoder_only(n_layers: int) -> tuple[float, float]:
    """DeepNet's (alpha, beta) for an n_layers decoder-only (or encoder-only) model."""
    return (2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25


def _deepnorm_encoder_decoder(n_enc: int, m_dec: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """DeepNet's ((alpha, beta) of the encoder, (alpha, beta) of the decoder)."""
    encoder = 0.81 * (n_enc ** 4 * m_dec) ** (1 / 16), 0.87 * (n_enc ** 4 * m_dec) ** (-1 / 16)
    decoder = (3 * m_dec) ** 0.25, (12 * m_dec) ** -0.25
    return encoder, decoder


def deepnorm_decoder_alpha() -> float:
    alpha, _ = _deepnorm_decoder_only(64)
    return alpha


def deepnorm_init_std() -> float:
    _, beta = _deepnorm_decoder_only(48)
    v_proj = nn.Linear(1024, 1024, device="meta")
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(v_proj.weight)
    # torch.nn.init.xavier_normal_: std = gain * sqrt(2 / (fan_in + fan_out))
    return beta * math.sqrt(2.0 / (fan_in + fan_out))


def deepnorm_encoder_decoder_alpha() -> float:
    (alpha_enc, _), _ = _deepnorm_encoder_decoder(6, 6)
    return alpha_enc


def pre_ln_residual_growth() -> float:
    n_layers, sublayers_per_layer = 32, 2
    variance = 1.0  # the embeddings
    for _ in range(n_layers * sublayers_per_layer):
        variance += 1.0  # an independent sublayer output of unit variance: variances add
    return math.sqrt(variance)


# ---------------------------------------------------------------- gated feed-forward layers
def _llama_ffn_hidden(dim: int, multiple_of: int = 256) -> int:
    """LLaMA's FeedForward: 2/3 of 4 * dim, truncated, rounded up to a multiple of multiple_of."""
    hidden = int(2 * (4 * dim) / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def _swiglu_ffn(dim: int, hidden: int) -> nn.ModuleDict:
    """Bias-free SwiGLU weights (w1 gate, w3 up, w2 down), on the meta device: shapes only."""
    return nn.ModuleDict({
        "w1": nn.Linear(dim, hidden, bias=False, device="meta"),
        "w3": nn.Linear(dim, hidden, bias=False, device="meta"),
        "w2": nn.Linear(hidden, dim, bias=False, device="meta"),
    })


def swiglu_forward_by_hand() -> float:
    x = torch.tensor([[1.0, 2.0]])  # (1, 2), a row vector
    w = torch.tensor([[1.0, 0.0], [-1.0, 1.0]])
    v = torch.tensor([[0.5, 1.0], [0.5, 0.0]])
    w2 = torch.tensor([[2.0], [1.0]])
    return ((F.silu(x @ w) * (x @ v)) @ w2).item()


def llama_ffn_hidden_size() -> float:
    return _llama_ffn_hidden(5120)


def swiglu_param_count() -> float:
    return _num_params(_swiglu_ffn(4096, 11008))


def glu_matched_hidden_size() -> float:
    d_model, d_ff = 768, 3072
    baseline = _num_params(nn.ModuleList([nn.Linear(d_model, d_ff, bias=False, device="meta"),
                                          nn.Linear(d_ff, d_model, bias=False, device="meta")]))
    return baseline / (3 * d_model)  # a GLU variant has 3 * d_model * hidden weights


RECOMPUTE: dict[str, Callable[[], float]] = {
    "normalization.unbiased-variance-running-var": unbiased_variance_running_var,
    "normalization.batch-norm-running-var-update": batch_norm_running_var_update,
    "normalization.batch-of-two-output": batch_of_two_output,
    "normalization.batch-norm-state-dict-size": batch_norm_state_dict_size,
    "normalization.eps-zero-variance": eps_zero_variance,
    "normalization.layer-norm-output-entry": layer_norm_output_entry,
    "normalization.layer-norm-param-count": layer_norm_param_count,
    "normalization.group-norm-statistics-count": group_norm_statistics_count,
    "normalization.rms-norm-output-entry": rms_norm_output_entry,
    "normalization.llama-rmsnorm-param-count": llama_rmsnorm_param_count,
    "normalization.residual-gradient-product": residual_gradient_product,
    "normalization.deepnorm-decoder-alpha": deepnorm_decoder_alpha,
    "normalization.deepnorm-init-std": deepnorm_init_std,
    "normalization.deepnorm-encoder-decoder-alpha": deepnorm_encoder_decoder_alpha,
    "normalization.pre-ln-residual-growth": pre_ln_residual_growth,
    "normalization.swiglu-forward-by-hand": swiglu_forward_by_hand,
    "normalization.llama-ffn-hidden-size": llama_ffn_hidden_size,
    "normalization.swiglu-param-count": swiglu_param_count,
    "normalization.glu-matched-hidden-size": glu_matched_hidden_size,
}
