# expect: fail axis
import torch


def decoder_self_attention_mask(lengths, max_len):
    causal = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device))
    pad = torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]  # (B, L)
    return causal[None, None] & pad[:, None, :, None]
