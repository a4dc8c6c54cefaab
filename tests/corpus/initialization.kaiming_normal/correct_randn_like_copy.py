# expect: pass
import math

import torch


@torch.no_grad()
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    rf = tensor[0][0].numel()
    fans = {"fan_in": tensor.size(1) * rf, "fan_out": tensor.size(0) * rf}
    variance = torch.nn.init.calculate_gain(nonlinearity, a) ** 2 / fans[mode]
    return tensor.copy_(torch.randn_like(tensor) * math.sqrt(variance))
