# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    h = x.to(torch.promote_types(x.dtype, torch.float32))  # statistics of half precision in float32
    mu = h.mean(dim=-1, keepdim=True)
    diff = h - mu
    var = (diff * diff).mean(dim=-1, keepdim=True)
    return (diff * torch.rsqrt(var + eps) * weight + bias).to(x.dtype)
