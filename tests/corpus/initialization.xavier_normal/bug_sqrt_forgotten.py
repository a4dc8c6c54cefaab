# expect: fail bound
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    rf = math.prod(tensor.shape[2:])
    fan_in, fan_out = tensor.shape[1] * rf, tensor.shape[0] * rf
    var = 2.0 / (fan_in + fan_out)
    with torch.no_grad():
        return tensor.normal_(mean=0.0, std=gain * var)
