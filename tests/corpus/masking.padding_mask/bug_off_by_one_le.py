# expect: fail off-by-one
import torch


def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device).unsqueeze(0)
    return positions <= lengths.unsqueeze(1)
