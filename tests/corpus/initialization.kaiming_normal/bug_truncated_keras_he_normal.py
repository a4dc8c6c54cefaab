# expect: fail truncated
import math

import torch


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    # Keras / JAX he_normal: a normal truncated at two standard deviations, its stddev divided by
    # 0.87962566103423978 (the std of a standard normal truncated to [-2, 2]) to keep the variance.
    receptive = tensor[0][0].numel() if tensor.dim() > 2 else 1
    fan_in, fan_out = tensor.size(1) * receptive, tensor.size(0) * receptive
    fan = fan_in if mode == "fan_in" else fan_out
    gain = math.sqrt(2.0 / (1 + a ** 2)) if nonlinearity == "leaky_relu" else \
        {"relu": math.sqrt(2.0), "tanh": 5.0 / 3, "selu": 0.75}.get(nonlinearity, 1.0)
    stddev = gain / math.sqrt(fan) / 0.87962566103423978
    with torch.no_grad():
        return torch.nn.init.trunc_normal_(tensor, 0.0, stddev, -2 * stddev, 2 * stddev)
