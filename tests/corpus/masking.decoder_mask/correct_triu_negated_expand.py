# expect: pass
import torch


def decoder_self_attention_mask(lengths, max_len):
    B = lengths.shape[0]
    future = torch.triu(torch.ones(max_len, max_len, device=lengths.device), diagonal=1).bool()
    allowed = (~future).expand(B, max_len, max_len)  # (B, L, L)
    real = torch.arange(max_len, device=lengths.device).expand(B, max_len) < lengths.view(B, 1)  # (B, L)
    return (allowed & real.view(B, 1, max_len)).unsqueeze(1)
