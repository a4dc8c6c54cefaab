# expect: fail dtype precision
# The penalty gradient is built in float32 (torch.sign(param).float()): float16 and bfloat16 params
# come out float32.
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    penalty = l1 * torch.sign(param).float() + l2 * param.float()
    out = param - lr * (grad + penalty)
    return out.to(torch.float64) if param.dtype == torch.float64 else out
