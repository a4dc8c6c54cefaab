# expect: pass
import math

import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    # The Annotated Transformer's PositionalEncoding buffer, without the batch dim.
    pe = torch.zeros(seq_len, d_model)
    position = torch.arange(0, seq_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
