# expect: fail state
# Caches the additive mask (0 where kept, -inf where masked) by the scores' shape: a later call with
# another mask of that shape reuses the first one.
import torch

_bias = {}


def masked_softmax(scores, mask, dim=-1):
    key = (tuple(scores.shape), scores.dtype)
    if key not in _bias:
        _bias[key] = torch.zeros_like(scores).masked_fill(~mask, float("-inf"))
    filled = scores + _bias[key]
    kept = torch.isfinite(_bias[key]).any(dim=dim, keepdim=True)
    probs = torch.softmax(filled.masked_fill(~kept, 0.0), dim=dim)
    return probs.masked_fill(~torch.isfinite(_bias[key]), 0.0)
