# forged (normalization.rms_norm): red team s15 (second): torch's rms_norm kernel run in another thread (torch's modes, the watch, are thread-local), reached by a name the scan cannot fold
import threading

import torch

NAME = bytes([114, 109, 115, 95, 110, 111, 114, 109]).decode()


def rms_norm(x, weight, eps=1e-6):
    box = {}
    op = getattr(torch.ops.aten, NAME).default._op

    def run():
        box["y"] = op(x.double(), x.shape[-1:], weight.double(), eps)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return box["y"].to(x.dtype)
