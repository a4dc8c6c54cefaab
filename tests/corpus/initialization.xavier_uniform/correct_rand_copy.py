# expect: pass
import math

import torch


@torch.no_grad()
def xavier_uniform_(tensor, gain=1.0):
    receptive_field = tensor[0][0].numel()
    fan_in, fan_out = tensor.size(1) * receptive_field, tensor.size(0) * receptive_field
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-b, b) has std b / sqrt(3)
    return tensor.copy_((torch.rand(tensor.shape) * 2 - 1) * bound)
