# expect: fail fan
# The receptive field is kh * kw for a 4-D kernel and 1 otherwise: Conv1d and Conv3d kernels get the fans
# of a Linear weight.
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = tensor.shape[2] * tensor.shape[3] if tensor.dim() == 4 else 1
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
