# expect: fail precision
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    # LLaMA habit: compute in float32, cast back to the input's dtype
    input_dtype = x.dtype
    h = x.to(torch.float32)
    mean = h.mean(-1, keepdim=True)
    var = (h - mean).pow(2).mean(-1, keepdim=True)
    h = (h - mean) * torch.rsqrt(var + eps)
    return weight * h.to(input_dtype) + bias
