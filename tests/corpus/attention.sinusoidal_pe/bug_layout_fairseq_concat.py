# expect: fail layout
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    # fairseq / tensor2tensor convention: all sines, then all cosines, with the
    # frequencies spread over half_dim - 1 steps.
    half_dim = d_model // 2
    step = math.log(10000) / (half_dim - 1)
    freqs = torch.exp(torch.arange(half_dim, dtype=torch.float) * -step)  # (d/2,)
    angles = torch.arange(seq_len, dtype=torch.float).unsqueeze(1) * freqs.unsqueeze(0)  # (L, d/2)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1).view(seq_len, -1)
