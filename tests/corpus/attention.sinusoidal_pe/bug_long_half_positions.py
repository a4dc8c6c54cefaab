# expect: fail
# Positions built as a float16 arange (to save memory): float16 counts by 1 only up to 2048, so rows past
# it hold the encoding of a neighbouring position.
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    position = torch.arange(seq_len, dtype=torch.float16).float()[:, None]
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    pe = torch.zeros(seq_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
