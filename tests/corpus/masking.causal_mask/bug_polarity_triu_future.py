# expect: fail polarity
import torch


def causal_mask(seq_len, device=None):
    # the upper triangle: the future positions
    return torch.triu(torch.ones(seq_len, seq_len, device=device), diagonal=1).bool()
