# expect: fail scale
import torch


def rms_norm(x, weight, eps=1e-6):
    norm = torch.sqrt((x * x).sum(dim=-1, keepdim=True) + eps)
    return x / norm * weight
