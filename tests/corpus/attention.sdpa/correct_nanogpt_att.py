# expect: pass
import math

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    # nanoGPT's manual attention path
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (..., Lq, Lk)
    if mask is not None:
        att = att.masked_fill(mask == 0, float("-inf"))
    att = F.softmax(att, dim=-1)
    y = att @ v  # (..., Lq, Lk) x (..., Lk, d_v) -> (..., Lq, d_v)
    return y, att
