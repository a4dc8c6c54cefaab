# expect: pass
import torch


def causal_mask(seq_len, device=None):
    idx = torch.arange(seq_len, device=device)
    return idx[:, None] >= idx[None, :]  # query i (rows) may see key j (columns) when j <= i
