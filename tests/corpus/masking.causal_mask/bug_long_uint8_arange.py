# expect: fail
# Positions as a uint8 arange: they wrap around after 255, so long sequences get a wrong mask.
import torch


def causal_mask(seq_len, device=None):
    i = torch.arange(seq_len, device=device).to(torch.uint8)
    return i[:, None] >= i[None, :]
