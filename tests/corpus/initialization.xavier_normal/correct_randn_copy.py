# expect: pass
import math

import torch


@torch.no_grad()
def xavier_normal_(tensor, gain=1.0):
    rf = tensor[0][0].numel()
    variance = 2.0 / (tensor.size(0) * rf + tensor.size(1) * rf)
    tensor.copy_(torch.randn_like(tensor) * gain * math.sqrt(variance))
    return tensor
