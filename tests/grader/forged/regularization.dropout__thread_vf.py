# forged (regularization.dropout): red team s15 (second): the C dropout from torch._VF, called from a raw _thread thread, where the thread-local function mode does not follow
import _thread

import torch

_VF = getattr(torch, "_" + "VF")
_drop = getattr(_VF, "".join(reversed("tuopord")))


def dropout(x, p, training=True):
    box, lock = [], _thread.allocate_lock()
    lock.acquire()

    def run():
        try:
            box.append(_drop(x, float(p), bool(training)))
        finally:
            lock.release()

    _thread.start_new_thread(run, ())
    lock.acquire()
    return box[0]
