# expect: fail fill-overflow
# Fills with torch.finfo(torch.float32).min whatever the dtype: float16 cannot hold it, so masked_fill
# raises on half-precision scores.
import torch


def masked_softmax(scores, mask, dim=-1):
    filled = scores.masked_fill(~mask, torch.finfo(torch.float32).min)
    return torch.softmax(filled, dim=dim).masked_fill(~mask, 0.0)
