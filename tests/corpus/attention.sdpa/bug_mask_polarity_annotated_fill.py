# expect: fail mask-polarity fill-overflow
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    # Code written for masks that mark the positions to BLOCK (nn.MultiheadAttention's convention)
    d_k = q.size(-1)
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, v), p_attn
