# expect: fail state
# Caches the whole mask by its shape, as one would the causal part (which only depends on max_len): the
# key padding of the first batch is reused for every later batch of the same size.
import torch

_cache = {}


def decoder_self_attention_mask(lengths, max_len):
    shape = (lengths.size(0), 1, max_len, max_len)
    if shape not in _cache:
        causal = torch.ones(max_len, max_len, dtype=torch.bool, device=lengths.device).tril()
        keys = torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]  # (B, L)
        _cache[shape] = causal[None, None] & keys[:, None, None, :]
    return _cache[shape]
