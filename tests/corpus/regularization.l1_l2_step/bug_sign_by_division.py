# expect: fail edge
def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    sign = param / param.abs()
    return param - lr * (grad + l1 * sign + l2 * param)
