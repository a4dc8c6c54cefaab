# expect: fail state precision
# Caches weight and bias reshaped for broadcasting, keyed by x's shape and dtype: a later call with other
# parameters of the same shape is scaled and shifted by the first call's.
import torch

_affine = {}


def layer_norm(x, weight, bias, eps=1e-5):
    key = (x.shape, x.dtype)
    if key not in _affine:
        view = [1] * (x.dim() - 1) + [-1]
        _affine[key] = (weight.detach().view(view), bias.detach().view(view))
    w, b = _affine[key]
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b
