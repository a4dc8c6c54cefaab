# expect: pass
import torch


def dropout(x, p, training=True):
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = torch.rand_like(x) >= p  # bool: multiplying keeps x's dtype, float16 and bfloat16 included
    return x * keep * (1.0 / (1.0 - p))
