# expect: fail
# The receptive field as kernel_size ** 2 from the last dim: right for square kernels only.
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    receptive = tensor.shape[-1] ** (tensor.dim() - 2)
    fan_in, fan_out = tensor.shape[1] * receptive, tensor.shape[0] * receptive
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
