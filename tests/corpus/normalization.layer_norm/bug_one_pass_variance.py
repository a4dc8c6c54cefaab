# expect: fail cancellation precision
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    mean_sq = (x * x).mean(dim=-1, keepdim=True)
    var = mean_sq - mean * mean  # Var[x] = E[x^2] - E[x]^2
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
