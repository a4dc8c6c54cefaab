# expect: fail off-by-one
import torch


def padding_mask(lengths, max_len):
    positions = torch.arange(1, max_len + 1, device=lengths.device)  # token positions 1..max_len
    return positions[None, :] < lengths[:, None]
