# expect: pass
import math

import torch


def rms_norm(x, weight, eps=1e-6):
    ms = torch.linalg.vector_norm(x, dim=-1, keepdim=True) ** 2 / x.shape[-1]
    return weight * (x / torch.sqrt(ms + eps))
