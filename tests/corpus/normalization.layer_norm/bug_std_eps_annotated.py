# expect: fail std-eps
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    # The Annotated Transformer's LayerNorm: a_2 * (x - mean) / (std + eps) + b_2
    mean = x.mean(-1, keepdim=True)
    std = x.std(-1, keepdim=True)
    return weight * (x - mean) / (std + eps) + bias
