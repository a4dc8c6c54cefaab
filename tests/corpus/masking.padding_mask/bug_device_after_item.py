# expect: fail device
# Checks the lengths with .item() (which the meta run cannot follow), then builds positions on the CPU.
import torch


def padding_mask(lengths, max_len):
    if lengths.numel() and lengths.max().item() > max_len:
        raise ValueError(f"a length exceeds max_len={max_len}")
    positions = torch.arange(max_len)
    return positions[None, :] < lengths[:, None]
