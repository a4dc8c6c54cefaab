# expect: fail fan
import math

import torch


def xavier_normal_(tensor, gain=1.0):
    fan_out, fan_in = tensor.shape[:2]
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.normal_(0, std)
