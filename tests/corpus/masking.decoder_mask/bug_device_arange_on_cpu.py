# expect: fail device
import torch


def decoder_self_attention_mask(lengths, max_len):
    causal = torch.tril(torch.ones(max_len, max_len, dtype=torch.bool))
    keys = torch.arange(max_len) < lengths[:, None]
    return causal[None, None, :, :] & keys[:, None, None, :]
