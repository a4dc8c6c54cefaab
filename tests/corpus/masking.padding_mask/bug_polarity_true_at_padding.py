# expect: fail polarity
import torch


def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device)
    # like key_padding_mask: True where the token is padding
    return positions[None, :] >= lengths[:, None]
