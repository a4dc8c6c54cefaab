# expect: fail defaults precision
# eps defaults to 1e-6 (a common typo for LayerNorm's 1e-5): right whenever eps is passed.
import torch


def layer_norm(x, weight, bias, eps=1e-6):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
