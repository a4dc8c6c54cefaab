# expect: fail polarity
import torch


def decoder_self_attention_mask(lengths, max_len):
    pos = torch.arange(max_len, device=lengths.device)
    future = torch.triu(torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device), diagonal=1)
    padding = pos[None, :] >= lengths[:, None]  # (B, L), True at padding
    return future[None, None] | padding[:, None, None, :]  # True = masked out
