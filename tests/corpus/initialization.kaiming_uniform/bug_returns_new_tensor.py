# expect: fail inplace
import math

import torch


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * rf if mode == "fan_in" else tensor.shape[0] * rf
    bound = torch.nn.init.calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return torch.empty_like(tensor).uniform_(-bound, bound)
