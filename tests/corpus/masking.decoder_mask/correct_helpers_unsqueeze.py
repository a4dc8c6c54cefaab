# expect: pass
import torch


def subsequent_mask(size, device):
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def key_padding(lengths, max_len):
    return torch.arange(max_len, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def decoder_self_attention_mask(lengths, max_len):
    pad = key_padding(lengths, max_len).unsqueeze(1).unsqueeze(2)  # (B, 1, 1, L)
    sub = subsequent_mask(max_len, lengths.device).unsqueeze(0).unsqueeze(0)  # (1, 1, L, L)
    return torch.logical_and(pad, sub)
