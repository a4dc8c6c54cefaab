# expect: fail fan
# mode defaults to "fan_out" (the convention of some frameworks' conv layers): right whenever mode is passed.
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_out", nonlinearity="leaky_relu"):
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
