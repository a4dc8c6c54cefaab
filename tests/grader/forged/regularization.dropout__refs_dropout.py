# forged (regularization.dropout): red team s15: the reference dropout in torch._refs (pure Python: no dropout op reaches the watch), found by a computed name
import torch._refs.nn.functional as refs

_dropout = getattr(refs, "drop" + "out")


def dropout(x, p, training=True):
    return _dropout(x, p, training)
