# expect: fail fan
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    fan_out = tensor.shape[0] * math.prod(tensor.shape[2:])
    std = gain / math.sqrt(fan_out)  # keeps the backward gradients at unit variance
    with torch.no_grad():
        return tensor.normal_(0, std)
