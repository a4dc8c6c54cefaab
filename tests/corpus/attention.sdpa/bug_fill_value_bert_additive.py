# expect: fail fill-value
# Old HF BERT's extended attention mask: (1 - mask) * -10000.0 added to the scores. A masked score more
# than 1e4 above every allowed one still wins.
import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1))
    if mask is not None:
        extended = (1.0 - mask.to(scores.dtype)) * -10000.0
        scores = scores + extended
    probs = torch.nn.functional.softmax(scores, dim=-1)
    return torch.matmul(probs, v), probs
