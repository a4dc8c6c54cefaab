# expect: fail off-by-one
import torch


def causal_mask(seq_len, device=None):
    i = torch.arange(seq_len, device=device).unsqueeze(1)
    j = torch.arange(seq_len, device=device).unsqueeze(0)
    return j < i
