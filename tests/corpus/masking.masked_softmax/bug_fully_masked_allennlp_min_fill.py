# expect: fail fully-masked
import torch


def masked_softmax(scores, mask, dim=-1):
    # AllenNLP's memory-efficient branch: fill with the dtype's minimum; a fully masked slice
    # comes out uniform instead of zeros.
    masked = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(masked, dim=dim)
