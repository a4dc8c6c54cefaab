# expect: fail forbidden
import torch.nn.functional as F


def dropout(x, p, training=True):
    return F.dropout(x, p=p, training=training)
