# expect: fail edge
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    sign = torch.where(param >= 0, torch.ones_like(param), -torch.ones_like(param))
    return param - lr * (grad + l1 * sign + l2 * param)
