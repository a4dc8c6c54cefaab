# expect: pass
import torch


def padding_mask(lengths, max_len):
    batch = lengths.size(0)
    steps = torch.arange(max_len, device=lengths.device).expand(batch, max_len)
    return steps.lt(lengths.unsqueeze(1))
