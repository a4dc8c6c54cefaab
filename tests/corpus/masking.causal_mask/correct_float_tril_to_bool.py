# expect: pass
import torch


def causal_mask(seq_len, device=None):
    mask = torch.tril(torch.ones((seq_len, seq_len), device=device))
    return mask == 1
