"""Forbidden calls, as the grading process sees them.

The worker (grader/worker.py) watches the candidate's code on every call: tripwires on
the forbidden Python names, a TorchFunctionMode for their aliases, and a
TorchDispatchMode on the aten backends they end in (grader/remote.py lists those). A
hit comes back as a reply, which grader/remote.py raises here as `ForbiddenCall`, a
BaseException, so no check mistakes it for an ordinary failure; every hit is recorded.
"""
from __future__ import annotations

hits: list[str] = []


class ForbiddenCall(BaseException):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name
