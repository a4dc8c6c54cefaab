# expect: fail off-by-one
import torch


def causal_mask(seq_len, device=None):
    ones = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device)
    return torch.tril(ones, diagonal=-1)  # only the previous positions
