# expect: fail forbidden
import math

import torch
from torch.nn import init


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan = init._calculate_correct_fan(tensor, mode)
    bound = init.calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
