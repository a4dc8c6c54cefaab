# expect: fail affine
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    # the weight applied before the statistics: it cancels out of the normalisation
    h = x * weight
    mean = h.mean(-1, keepdim=True)
    var = h.var(-1, unbiased=False, keepdim=True)
    return (h - mean) / torch.sqrt(var + eps) + bias
