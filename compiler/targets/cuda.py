"""The cuda target: one ``numba.cuda`` kernel with a grid-stride loop over the staged statements,
spelled with ``math`` functions (libdevice on the GPU) and operators only: no device-function
calls, so every kernel compiles to PTX without a GPU."""
from __future__ import annotations

from ..rules import RULES
from .numba import NumbaPrinter


def _cuda_name(rule) -> str | None:
    """The function name a row is spelled by in CUDA kernels, when it is one call."""
    for family in ("cuda", "kernel", "*"):
        if family in rule.spell:
            spelled = rule.spell[family]
            return spelled if isinstance(spelled, str) else None
    return f"math.{rule.math_name}"


def _numpy_name(rule) -> str:
    spelled = rule.spell.get("numpy")
    return spelled if isinstance(spelled, str) else f"np.{rule.numpy_name}"


# What the CUDA simulator runs in place of the math and libdevice functions: it executes kernels as
# Python, where math.exp(1000.0) raises OverflowError and math.log(0.0) ValueError; NumPy's (or SciPy's)
# functions return inf/nan as the GPU does. Every row spelled math.<name> or libdevice.<name> on this
# target gets the python target's function of the same row (or the row's own "simulator" spelling).
SIMULATOR = {
    **{name: rule.spell.get("simulator", _numpy_name(rule)) for rule in RULES.values()
       if rule.elementwise and (rule.names or rule.sympy is not None)
       for name in [_cuda_name(rule)] if name and name.startswith(("math.", "libdevice."))},
    "math.sqrt": "np.sqrt", "math.pow": "np.float_power", "math.pi": "math.pi", "math.e": "math.e",
    "math.inf": "np.inf", "math.nan": "np.nan",
}


def simulator_lines(names) -> list[str]:
    """The simulator block's lines: ``math = SimpleNamespace(exp=np.exp, ...)`` and the like."""
    lines = []
    if any(SIMULATOR[n].startswith("scipy.special.") for n in names):
        lines.append("import scipy.special")
    for module in ("math", "libdevice"):
        used = sorted(n for n in names if n.startswith(module + "."))
        if used or module == "math":
            pairs = ", ".join(f"{n[len(module) + 1:]}={SIMULATOR[n]}" for n in used)
            lines.append(f"{module} = SimpleNamespace({pairs})")
    return lines


class CudaPrinter(NumbaPrinter):
    """Scalar code inside a CUDA kernel: ``math`` functions (libdevice on the GPU) and operators only.

    NumPy's ufuncs are not all available in CUDA kernels (``np.exp`` is not), so rows that NumPy
    provides as one call (``logaddexp``, ``sign``) spell themselves out for this target with the
    same branches and the same results. ``self.math`` collects the names used, for the
    simulator's stand-ins.
    """

    target = "cuda"
    families = ("cuda", "kernel", "math")
    prefixes = {"math.": "import math", "_sp.": "from compiler.special import gpu as _sp",
                "libdevice.": "from numba.cuda import libdevice"}
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
        self.math.update(name for name in SIMULATOR if name + "(" in text or name == text
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

