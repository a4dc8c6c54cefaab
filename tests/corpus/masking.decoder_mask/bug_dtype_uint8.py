# expect: fail dtype
import torch


def decoder_self_attention_mask(lengths, max_len):
    causal = torch.tril(torch.ones(max_len, max_len, dtype=torch.uint8, device=lengths.device))
    keys = (torch.arange(max_len, device=lengths.device) < lengths[:, None]).to(torch.uint8)
    return causal[None, None] & keys[:, None, None, :]
