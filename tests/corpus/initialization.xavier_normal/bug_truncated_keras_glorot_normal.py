# expect: fail truncated
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    # Keras glorot_normal: truncated at two standard deviations, stddev rescaled by 1 / 0.8796
    receptive = tensor[0][0].numel() if tensor.dim() > 2 else 1
    fan_in, fan_out = tensor.size(1) * receptive, tensor.size(0) * receptive
    stddev = gain * math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
    with torch.no_grad():
        samples = torch.randn(tensor.shape, dtype=tensor.dtype, device=tensor.device)
        while (samples.abs() > 2).any():  # redraw anything beyond two standard deviations
            outside = samples.abs() > 2
            samples[outside] = torch.randn(int(outside.sum()), dtype=tensor.dtype, device=tensor.device)
        return tensor.copy_(samples * stddev)
