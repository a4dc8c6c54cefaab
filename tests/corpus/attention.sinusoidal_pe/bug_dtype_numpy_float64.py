# expect: fail dtype
import numpy as np
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pe = np.array([[pos / np.power(10000, 2 * (j // 2) / d_model) for j in range(d_model)]
                   for pos in range(seq_len)])
    pe[:, 0::2] = np.sin(pe[:, 0::2])
    pe[:, 1::2] = np.cos(pe[:, 1::2])
    return torch.from_numpy(pe)
