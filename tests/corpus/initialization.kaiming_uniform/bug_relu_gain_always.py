# expect: fail gain
import math

import torch


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = math.prod(tensor.shape[2:])
    fan = tensor.shape[1] * rf if mode == "fan_in" else tensor.shape[0] * rf
    bound = math.sqrt(6.0 / fan)  # He et al.: Var = 2 / fan
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
