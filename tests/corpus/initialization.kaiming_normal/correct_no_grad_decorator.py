# expect: pass
import math

import torch


@torch.no_grad()
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = 1
    for size in tensor.shape[2:]:
        receptive *= size
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    tensor.normal_(mean=0.0, std=gain / math.sqrt(fan))
    return tensor
