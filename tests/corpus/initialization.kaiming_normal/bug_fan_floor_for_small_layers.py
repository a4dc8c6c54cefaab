# expect: fail
# Floors the fan at 64 "so tiny layers do not blow up": a layer whose fan is under 64 gets a std
# sqrt(64 / fan) times too small.
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(max(fan, 64))
    with torch.no_grad():
        return tensor.normal_(0.0, std)
