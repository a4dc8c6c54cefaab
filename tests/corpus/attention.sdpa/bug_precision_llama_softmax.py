# expect: fail precision
import math

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    # Meta's llama Attention: the softmax in float32, cast back with type_as
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    scores = F.softmax(scores.float(), dim=-1).type_as(q)
    return torch.matmul(scores, v), scores
