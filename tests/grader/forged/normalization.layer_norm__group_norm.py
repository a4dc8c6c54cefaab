# forged (normalization.layer_norm): red team s15: torch's group norm with a single group normalises each row over its last dim, exactly as layer norm does
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    rows = x.reshape(-1, 1, x.shape[-1])
    return torch.group_norm(rows, 1, None, None, eps).reshape(x.shape) * weight + bias
