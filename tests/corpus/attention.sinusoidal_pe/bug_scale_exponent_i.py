# expect: fail scale
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pe = torch.zeros(seq_len, d_model)
    position = torch.arange(seq_len).float().unsqueeze(1)
    i = torch.arange(d_model // 2).float()
    angles = position / torch.pow(10000, i / d_model)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe
