# expect: fail inplace
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    fan_in, fan_out = tensor.shape[1] * rf, tensor.shape[0] * rf
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    tensor = torch.randn(tensor.shape) * std
    return tensor
