# expect: fail state
# Memoises the mask per length and returns the cached tensor itself: a caller that flips or edits one
# mask in place changes what every later call returns.
import torch

_built = {}


def causal_mask(seq_len, device=None):
    key = (seq_len, str(device))
    if key not in _built:
        _built[key] = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()
    return _built[key]
