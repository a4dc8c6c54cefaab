# expect: fail bound
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    rf = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * rf, tensor.shape[0] * rf
    bound = gain * math.sqrt(3.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-bound, bound)
    return tensor
