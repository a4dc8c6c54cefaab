# expect: pass
# torch.compile called on a plain function (no decorator): creating the compiled wrapper used to patch
# torch.optim's internals, which the grader read as reaching around its watch on torch.optim.
import torch


def _update(param, grad, lr, l1, l2):
    return param - lr * (grad + l1 * torch.sign(param) + l2 * param)


_compiled_update = torch.compile(_update, dynamic=True)


def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    return _compiled_update(param, grad, lr, l1, l2)
