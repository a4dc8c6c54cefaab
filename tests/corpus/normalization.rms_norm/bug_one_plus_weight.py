# expect: fail affine
import torch


def rms_norm(x, weight, eps=1e-6):
    variance = x.pow(2).mean(-1, keepdim=True)
    hidden = x * torch.rsqrt(variance + eps)
    return hidden * (1.0 + weight)
