# expect: fail sign
def sgd_step_l1_l2(param, grad, lr, l1=0.0, l2=0.0):
    l1_grad = l1 * param
    l2_grad = l2 * param
    return param - lr * (grad + l1_grad + l2_grad)
