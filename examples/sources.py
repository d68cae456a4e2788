"""The formulas the shipped examples compile; ``generated/`` holds their emitted modules."""

CS231N_PROGRAM = """\
sigy = sigmoid(y)        # sigmoid in numerator
num = x + sigy           # numerator
sigx = sigmoid(x)        # sigmoid in denominator
xpy = x + y
xpysqr = xpy**2
den = sigx + xpysqr      # denominator
invden = 1 / den
f = num * invden         # done!
"""
CS231N_FORMULA = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)"
NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"
LINE_FIT = "(a*x + b - y)**2"

# generated/<name>.py: (source, wrt, target)
GENERATED = {
    "cs231n_staged_python": (CS231N_PROGRAM, None, "python"),
    "cs231n_staged_numpy": (CS231N_PROGRAM, None, "numpy"),
    "cs231n_formula_python": (CS231N_FORMULA, None, "python"),
    "neuron_numpy": (NEURON, None, "numpy"),
    "fit_line_numpy": (LINE_FIT, "a,b", "numpy"),
}
OSCILLATOR = "(A*exp(-b*t)*cos(w*t + phi) - y)**2"

GENERATED["oscillator_numba"] = (OSCILLATOR, "A,b,w,phi", "numba", {"params": ("A", "b", "w", "phi"),
                                                                    "reduce": "mean"})
GENERATED["cs231n_staged_cuda"] = (CS231N_PROGRAM, None, "cuda")
GENERATED["oscillator_cuda"] = (OSCILLATOR, "A,b,w,phi", "cuda", {"params": ("A", "b", "w", "phi"), "reduce": "mean"})
