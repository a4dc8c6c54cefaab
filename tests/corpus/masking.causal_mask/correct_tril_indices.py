# expect: pass
import torch


def causal_mask(seq_len, device=None):
    mask = torch.zeros(seq_len, seq_len, dtype=torch.bool, device=device)
    rows, cols = torch.tril_indices(seq_len, seq_len, device=device)
    mask[rows, cols] = True
    return mask
