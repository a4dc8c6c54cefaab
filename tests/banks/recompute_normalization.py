"""Recompute every numeric answer of questions/normalization.yaml.

Each function rebuilds the setting its question describes and reads the answer
off PyTorch: a layer's output, its buffers after a forward pass, a parameter
count, or a gradient from autograd. `RECOMPUTE` maps question ids to them.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
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
}
