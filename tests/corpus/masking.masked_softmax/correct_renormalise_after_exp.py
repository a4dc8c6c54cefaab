# expect: pass
import torch


def masked_softmax(scores, mask, dim=-1):
    filled = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    e = torch.exp(filled - filled.amax(dim, keepdim=True).detach()) * mask
    norm = e.sum(dim, keepdim=True)
    return e / torch.where(norm == 0, torch.ones_like(norm), norm)  # empty slice: 0 / 1
