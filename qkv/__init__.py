"""qkv: offline interview prep for deep learning and LLMs (quiz, grader, mock interviews).

The installed distribution has this one import package; its parts are qkv.grader,
qkv.reference, qkv.questions, qkv.quiz, qkv.mock and qkv.cli. In a checkout, the parts live at
the top of the repository (the layout of the design card: grader/, reference/, questions/,
...), so the package's search path also covers the repository root there.
"""
from __future__ import annotations

import os

__version__ = "0.2.0"

_checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if not os.path.isdir(os.path.join(os.path.dirname(__file__), "grader")) and \
        os.path.isdir(os.path.join(_checkout, "grader")):
    __path__.append(_checkout)  # noqa: F821 - a package's __path__
