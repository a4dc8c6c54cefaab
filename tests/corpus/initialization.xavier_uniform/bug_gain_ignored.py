# expect: fail gain
import math

import torch


def xavier_uniform_(tensor, gain=1.0):
    rf = tensor[0][0].numel()
    fan_in, fan_out = tensor.shape[1] * rf, tensor.shape[0] * rf
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-limit, limit)
    return tensor
