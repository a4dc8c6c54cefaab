# expect: fail gain
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * rf if mode == "fan_in" else tensor.shape[0] * rf
    with torch.no_grad():
        return tensor.normal_(0, 1 / math.sqrt(fan))
