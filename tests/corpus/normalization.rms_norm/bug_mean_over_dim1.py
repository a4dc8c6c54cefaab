# expect: fail axis precision
import torch


def rms_norm(x, weight, eps=1e-6):
    ms = (x ** 2).mean(dim=1, keepdim=True)
    return x / torch.sqrt(ms + eps) * weight
