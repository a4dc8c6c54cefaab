# expect: fail reduction
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    w = param.detach().clone().requires_grad_()
    penalty = l1 * w.abs().mean() + l2 / 2 * w.pow(2).mean()
    (penalty_grad,) = torch.autograd.grad(penalty, w)
    return param - lr * (grad + penalty_grad)
