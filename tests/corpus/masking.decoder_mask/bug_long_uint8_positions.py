# expect: fail
# Positions as uint8 (to save memory): they wrap around after 255.
import torch


def decoder_self_attention_mask(lengths, max_len):
    pos = torch.arange(max_len, device=lengths.device).to(torch.uint8)
    causal = pos[None, :] <= pos[:, None]
    keys = pos[None, :].long() < lengths[:, None]
    return causal[None, None] & keys[:, None, None, :]
