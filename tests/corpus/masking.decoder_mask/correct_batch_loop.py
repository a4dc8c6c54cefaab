# expect: pass
import torch


def decoder_self_attention_mask(lengths, max_len):
    causal = torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device).tril()
    masks = []
    for n in lengths:
        row = causal.clone()
        row[:, n:] = False  # keys past the end are padding
        masks.append(row)
    return torch.stack(masks).unsqueeze(1)  # (B, 1, L, L)
