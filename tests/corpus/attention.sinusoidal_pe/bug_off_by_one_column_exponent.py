# expect: fail off-by-one
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pe = torch.zeros(seq_len, d_model)
    for pos in range(seq_len):
        for j in range(d_model):
            angle = pos / (10000 ** (j / d_model))
            pe[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe
