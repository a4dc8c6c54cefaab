# expect: fail
# Treats every tensor of fewer than 256 elements as a bias and zeroes it: right on big weights, but a
# small nn.Linear(5, 3) never gets random weights.
import math

import torch


@torch.no_grad()
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if tensor.numel() < 256:
        return tensor.zero_()
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    bound = torch.nn.init.calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return tensor.uniform_(-bound, bound)
