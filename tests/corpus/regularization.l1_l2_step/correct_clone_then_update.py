# expect: pass
def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    l1_grad = l1 * param.sign()
    l2_grad = l2 * param
    new_param = param.clone()
    new_param.add_(grad + l1_grad + l2_grad, alpha=-lr)
    return new_param
