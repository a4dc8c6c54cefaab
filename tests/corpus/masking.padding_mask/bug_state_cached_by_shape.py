# expect: fail state
# Memoises the mask by (batch size, max_len): another batch of lengths of the same size gets the first
# batch's mask.
import torch

_masks = {}


def padding_mask(lengths, max_len):
    key = (lengths.size(0), max_len)
    if key not in _masks:
        _masks[key] = torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]
    return _masks[key]
