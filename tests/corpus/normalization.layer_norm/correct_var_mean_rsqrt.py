# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    var, mean = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)  # (..., 1) each
    return (x - mean) * torch.rsqrt(var + eps) * weight + bias
