# expect: pass
# Reads the data (.item()) before building anything, then builds on the lengths' device.
import torch


def padding_mask(lengths, max_len):
    if lengths.numel() and lengths.max().item() > max_len:
        raise ValueError(f"a length exceeds max_len={max_len}")
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] < lengths[:, None]
