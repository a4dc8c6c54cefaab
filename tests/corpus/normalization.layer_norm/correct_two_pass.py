# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    diff = x - mu
    var = (diff * diff).mean(dim=-1, keepdim=True)
    return diff * torch.rsqrt(var + eps) * weight + bias
