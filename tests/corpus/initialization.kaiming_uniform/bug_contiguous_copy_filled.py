# expect: fail inplace
# Fills tensor.contiguous(), which is the tensor itself only when it is already contiguous: a strided
# slice or a transposed weight gets a fresh copy filled and is left as it was.
import math

import torch


@torch.no_grad()
def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    bound = torch.nn.init.calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    tensor.contiguous().uniform_(-bound, bound)
    return tensor
