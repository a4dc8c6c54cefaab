# expect: fail layout
import torch


def sinusoidal_positional_encoding(seq_len, d_model):
    # The contract's frequencies, but laid out [sin | cos] as GPT-J's create_sinusoidal_positions does.
    inv_freq = 1.0 / (10000 ** (torch.arange(0, d_model, 2, dtype=torch.float32) / d_model))  # (d/2,)
    angles = torch.einsum("i,j->ij", torch.arange(seq_len, dtype=torch.float32), inv_freq)  # (L, d/2)
    return torch.cat((torch.sin(angles), torch.cos(angles)), dim=1)
