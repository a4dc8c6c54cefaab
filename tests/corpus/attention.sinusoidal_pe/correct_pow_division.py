# expect: pass
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pos = torch.arange(seq_len, dtype=torch.float32).view(-1, 1)  # (L, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)  # (d_model/2,)
    angle = pos / torch.pow(10000.0, two_i / d_model)  # (L, d_model/2)
    pe = torch.empty(seq_len, d_model)
    pe[:, ::2] = angle.sin()
    pe[:, 1::2] = angle.cos()
    return pe
