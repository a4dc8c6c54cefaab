# expect: fail scale
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    # d/dw (l2 * w^2) = 2 * l2 * w
    return param - lr * (grad + l1 * torch.sign(param) + 2 * l2 * param)
