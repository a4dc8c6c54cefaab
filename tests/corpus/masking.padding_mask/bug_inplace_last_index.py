# expect: fail inplace
import torch


def padding_mask(lengths, max_len):
    last = lengths.sub_(1)  # index of the last real token
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] <= last[:, None]
