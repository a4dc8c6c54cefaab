# expect: pass
import math

import torch


def rms_norm(x, weight, eps=1e-6):
    h = x.to(torch.promote_types(x.dtype, torch.float32))  # half precision in float32, float64 as it is
    ms = torch.linalg.vector_norm(h, dim=-1, keepdim=True) ** 2 / x.shape[-1]
    return weight * (h / torch.sqrt(ms + eps)).to(x.dtype)
