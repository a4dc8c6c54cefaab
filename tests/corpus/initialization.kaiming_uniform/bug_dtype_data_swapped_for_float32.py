# expect: fail dtype
# Fills through `tensor.data = torch.empty(shape).uniform_(...)`: the values are right, but the storage
# swapped in is float32, so float64, float16 and bfloat16 tensors silently become float32.
import math

import torch


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive = math.prod(tensor.shape[2:])
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / fan)
    tensor.data = torch.empty(tensor.shape, device=tensor.device).uniform_(-bound, bound)
    return tensor
