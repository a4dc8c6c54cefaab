# expect: pass
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    inv_freq = 1.0 / 10000 ** (torch.arange(0, d_model, 2).float() / d_model)  # (d_model/2,)
    angles = torch.outer(torch.arange(seq_len).float(), inv_freq)  # (L, d_model/2)
    # (L, d_model/2, 2) -> (L, d_model): sin, cos, sin, cos, ...
    return torch.stack((angles.sin(), angles.cos()), dim=-1).flatten(start_dim=1)
