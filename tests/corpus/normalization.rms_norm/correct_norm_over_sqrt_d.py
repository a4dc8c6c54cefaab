# expect: pass
import math

import torch


def rms_norm(x, weight, eps=1e-6):
    rms = torch.linalg.vector_norm(x, dim=-1, keepdim=True) / math.sqrt(x.shape[-1])
    return weight * x / torch.sqrt(rms ** 2 + eps)
