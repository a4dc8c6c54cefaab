# expect: fail off-by-one
import torch


def decoder_self_attention_mask(lengths, max_len):
    pos = torch.arange(max_len, device=lengths.device)
    causal = pos[:, None] >= pos[None, :]  # (L, L)
    pad = pos[None, :] <= lengths[:, None]  # (B, L)
    return (causal[None, :, :] & pad[:, None, :]).unsqueeze(1)
