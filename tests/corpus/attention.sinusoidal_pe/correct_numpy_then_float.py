# expect: pass
import numpy as np
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pos = np.arange(seq_len)[:, np.newaxis]  # (L, 1)
    i = np.arange(d_model)[np.newaxis, :]  # (1, d_model)
    angle_rates = 1 / np.power(10000, (2 * (i // 2)) / np.float64(d_model))
    angles = pos * angle_rates  # (L, d_model)
    angles[:, 0::2] = np.sin(angles[:, 0::2])
    angles[:, 1::2] = np.cos(angles[:, 1::2])
    return torch.from_numpy(angles).float()
