# expect: pass
import torch


def decoder_self_attention_mask(lengths, max_len):
    causal = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device))  # (L, L)
    keys = torch.arange(max_len, device=lengths.device) < lengths[:, None]  # (B, L)
    return causal[None, None, :, :] & keys[:, None, None, :]  # (B, 1, L, L)
