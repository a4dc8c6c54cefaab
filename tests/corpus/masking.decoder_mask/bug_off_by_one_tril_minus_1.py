# expect: fail off-by-one
import torch


def decoder_self_attention_mask(lengths, max_len):
    ones = torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device)
    causal = torch.tril(ones, diagonal=-1)  # strictly earlier positions
    pad = torch.arange(max_len, device=lengths.device) < lengths.unsqueeze(-1)
    return causal[None, None] & pad[:, None, None, :]
