# expect: fail state
# Memoises the table by size and hands out the same tensor each time: a caller that changes its result in
# place (pe *= scale) changes what every later call with that size returns.
import math

import torch

_TABLES = {}


def sinusoidal_positional_encoding(seq_len, d_model):
    if (seq_len, d_model) not in _TABLES:
        position = torch.arange(seq_len, dtype=torch.float32)[:, None]
        inv_freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        table = torch.empty(seq_len, d_model)
        table[:, 0::2] = torch.sin(position * inv_freq)
        table[:, 1::2] = torch.cos(position * inv_freq)
        _TABLES[seq_len, d_model] = table
    return _TABLES[seq_len, d_model]
