"""The cuda target: one ``numba.cuda`` kernel with a grid-stride loop over the staged statements,
spelled with ``math`` functions (libdevice on the GPU) and operators only: no device-function
calls, so every kernel compiles to PTX without a GPU."""
from __future__ import annotations

from ..rules import RULES
from .numba import NumbaPrinter

# What the CUDA simulator runs in place of the math functions: it executes kernels as Python, where
# math.exp(1000.0) raises OverflowError and math.log(0.0) ValueError; NumPy's functions return inf/nan
# as the GPU does. Every row spelled math.<name> on this target gets NumPy's function of the same row.
SIMULATOR_MATH = {
    **{f"math.{r.math_name}": r.spell.get("simulator", f"np.{r.numpy_name}") for r in RULES.values()
       if r.elementwise and r.names and not any(f in r.spell for f in ("cuda", "kernel", "*"))},
    "math.erf": RULES["erf"].spell["simulator"],
    "math.sqrt": "np.sqrt", "math.pow": "np.float_power", "math.pi": "math.pi", "math.e": "math.e",
    "math.inf": "np.inf", "math.nan": "np.nan",
}


class CudaPrinter(NumbaPrinter):
    """Scalar code inside a CUDA kernel: ``math`` functions (libdevice on the GPU) and operators only.

    NumPy's ufuncs are not all available in CUDA kernels (``np.exp`` is not), so rows that NumPy
    provides as one call (``logaddexp``, ``sign``) spell themselves out for this target with the
    same branches and the same results. ``self.math`` collects the names used, for the
    simulator's stand-ins.
    """

    target = "cuda"
    families = ("cuda", "kernel", "math")
    namespace = "math"
    power = "math.pow"
    sqrt = "math.sqrt"
    infinity, not_a_number = "math.inf", "math.nan"

    def __init__(self, settings=None, shapes=None, options=None):
        super().__init__(settings, shapes, options)
        self.imports = {"import math"}
        self.math: set[str] = set()

    def doprint(self, expr):
        text = super().doprint(expr)
        self.math.update(name for name in SIMULATOR_MATH if name + "(" in text or name == text
                         or (name in ("math.inf", "math.nan") and name in text))
        return text

    def _print_Pi(self, expr) -> str:
        self.math.add("math.pi")
        return "math.pi"

    def _print_Exp1(self, expr) -> str:
        self.math.add("math.e")
        return "math.e"

    def literal(self, text: str) -> str:
        # float64(c) is a cast on the GPU; in the simulator it makes a NumPy scalar, where a Python
        # float would raise on 1/0.0 or overflow
        return f"float64({text})"

    def rhs(self, stmt) -> str:
        text = self.expr(stmt.expr)
        return self.literal(text) if not stmt.expr.free_symbols else text

