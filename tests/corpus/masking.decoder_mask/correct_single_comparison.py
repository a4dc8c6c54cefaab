# expect: pass
import torch


def decoder_self_attention_mask(lengths, max_len):
    t = torch.arange(max_len, device=lengths.device)
    i = t.view(1, 1, -1, 1)  # query positions
    j = t.view(1, 1, 1, -1)  # key positions
    return (j <= i) & (j < lengths.view(-1, 1, 1, 1))
