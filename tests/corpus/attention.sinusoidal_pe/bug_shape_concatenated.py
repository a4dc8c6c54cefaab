# expect: fail layout
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    pos = torch.arange(seq_len, dtype=torch.float32)[:, None]
    freqs = 10000 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    angles = pos * freqs[None, :]  # (L, d_model/2)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
