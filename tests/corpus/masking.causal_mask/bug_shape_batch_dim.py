# expect: fail shape
import torch


def causal_mask(seq_len, device=None):
    mask = torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool, device=device))
    return mask.unsqueeze(0)  # (1, L, L) so it broadcasts over the batch
