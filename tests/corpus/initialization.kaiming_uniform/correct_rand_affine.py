# expect: pass
import math

import torch


@torch.no_grad()
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = tensor[0][0].numel()
    fan = {"fan_in": tensor.size(1) * rf, "fan_out": tensor.size(0) * rf}[mode]
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return tensor.copy_(torch.rand_like(tensor).mul_(2 * bound).sub_(bound))
