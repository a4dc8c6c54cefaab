# expect: fail inplace
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * rf if mode == "fan_in" else tensor.shape[0] * rf
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return torch.randn_like(tensor) * std
