# expect: fail fill-value
# Old HF BERT: an additive bias of -10000.0 on masked scores, the masked entries zeroed after the softmax:
# right while the kept scores are within 1e4 of the masked ones.
import torch


def masked_softmax(scores, mask, dim=-1):
    bias = (1.0 - mask.to(scores.dtype)) * -10000.0
    probs = torch.softmax(scores + bias, dim=dim)
    return probs.masked_fill(~mask, 0.0)
