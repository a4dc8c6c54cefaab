# expect: fail dtype
# The mask is drawn with torch.rand(x.shape) (float32) and multiplied in: float16 and bfloat16 inputs come
# out float32.
import torch


def dropout(x, p, training=True):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    mask = (torch.rand(x.shape, device=x.device) >= p).float()
    out = x * mask / (1 - p)
    return out.to(x.dtype) if x.dtype == torch.float64 else out
