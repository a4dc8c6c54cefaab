# expect: fail
# Positions as a float16 arange: float16 counts by 1 only up to 2048, so long sequences get wrong masks.
import torch


def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device, dtype=torch.float16)
    return positions[None, :] < lengths[:, None].to(torch.float16)
