"""The python target: one point per call, scalar code over NumPy float64 scalars.

Values are ``np.float64``, so ``1/0`` gives ``inf`` and ``exp(1000)`` gives ``inf`` instead of
raising, as on every other target.
"""
from __future__ import annotations

from .printer import CodePrinter


class PythonPrinter(CodePrinter):
    """Scalar code over NumPy float64 scalars: Python operators, NumPy functions."""

    target = "python"
    families = ("python", "numpy")

