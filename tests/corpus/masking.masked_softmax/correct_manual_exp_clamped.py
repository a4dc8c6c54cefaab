# expect: pass
import torch


def masked_softmax(scores, mask, dim=-1):
    filled = scores.masked_fill(~mask, float("-inf"))
    row_max = filled.amax(dim=dim, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(filled - row_max)  # masked entries: exp(-inf) = 0
    total = e.sum(dim=dim, keepdim=True)
    return e / total.clamp_min(torch.finfo(e.dtype).tiny)  # 0 / tiny = 0 for an empty slice
