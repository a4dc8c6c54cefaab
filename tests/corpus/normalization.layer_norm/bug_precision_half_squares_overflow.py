# expect: fail precision
# Two-pass statistics, but in the input's dtype: in float16 a deviation past 256 squares to inf, the
# variance is inf and the row comes out as the bias.
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    centered = x - x.mean(dim=-1, keepdim=True)
    var = centered.square().mean(dim=-1, keepdim=True)
    return centered / torch.sqrt(var + eps) * weight + bias
