# expect: fail state shape? device?
# Builds the mask on the first call and returns that one ever after.
import torch

_cache = {}


def causal_mask(seq_len, device=None):
    if "mask" not in _cache:
        _cache["mask"] = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()
    return _cache["mask"][:seq_len, :seq_len]
