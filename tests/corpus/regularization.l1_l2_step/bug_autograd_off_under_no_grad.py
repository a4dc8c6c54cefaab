# expect: fail
# The penalties' gradient from autograd, without switching autograd on: called under torch.no_grad(), as an
# optimizer step is, the loss has no graph and torch.autograd.grad raises.
import torch


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    w = param.detach().clone().requires_grad_(True)
    loss = (grad * w).sum() + l1 * w.abs().sum() + 0.5 * l2 * w.pow(2).sum()
    (total_grad,) = torch.autograd.grad(loss, w)
    return param - lr * total_grad
