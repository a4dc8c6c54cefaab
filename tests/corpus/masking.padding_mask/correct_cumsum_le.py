# expect: pass
import torch


def padding_mask(lengths, max_len):
    # 1, 2, ..., max_len in every row: token t is real when its 1-based index is <= the length
    counts = torch.ones(lengths.size(0), max_len, dtype=lengths.dtype, device=lengths.device).cumsum(dim=1)
    return counts <= lengths.unsqueeze(-1)
