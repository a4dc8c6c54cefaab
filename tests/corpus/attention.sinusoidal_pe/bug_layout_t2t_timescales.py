# expect: fail layout
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    # tensor2tensor's get_timing_signal_1d: geometric timescales from 1 to 1e4, [sin | cos]
    num_timescales = d_model // 2
    increment = math.log(1.0e4 / 1.0) / max(num_timescales - 1, 1)
    inv_timescales = torch.exp(torch.arange(num_timescales, dtype=torch.float32) * -increment)
    position = torch.arange(seq_len, dtype=torch.float32)
    scaled_time = position[:, None] * inv_timescales[None, :]  # (L, d/2)
    return torch.cat([scaled_time.sin(), scaled_time.cos()], dim=1)
