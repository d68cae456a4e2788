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
# a staged Hessian-vector product: the tangent sweep over the forward and backward statements
GENERATED["cs231n_staged_hvp_python"] = (CS231N_PROGRAM, None, "python", {"second": "hvp"})

# Matrix programs (issue 5). Columns are examples, as in d2l and CS231n: x is (features, n).
# d2l's one-hidden-layer MLP objective with weight decay (bias-free layers).
MLP_D2L = """\
z = W1 @ x
h = relu(z)
o = W2 @ h
L = cross_entropy(o, y)
s = lam / 2 * (frob2(W1) + frob2(W2))
J = L + s
"""
MLP_D2L_SHAPES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", "n"), "y": ("n",)}

# The hand-written NumPy network of the seed article: 10 -> 20 -> 10 -> 5, ReLU, ReLU, sigmoid,
# softmax cross-entropy.
MLP_3LAYER = """\
z1 = W1 @ x + b1
h1 = relu(z1)
z2 = W2 @ h1 + b2
h2 = relu(z2)
z3 = W3 @ h2 + b3
h3 = sigmoid(z3)
L = cross_entropy(h3, y)
"""
MLP_3LAYER_SHAPES = {"W1": (20, 10), "b1": (20, 1), "W2": (10, 20), "b2": (10, 1), "W3": (5, 10), "b3": (5, 1),
                     "x": (10, "n"), "y": ("n",)}

# A one-hidden-layer classifier with biases and weight decay, for scikit-learn's 8x8 digits.
MLP_DIGITS = """\
z = W1 @ x + b1
h = tanh(z)
o = W2 @ h + b2
J = cross_entropy(o, y) + lam / 2 * (frob2(W1) + frob2(W2))
"""
MLP_DIGITS_SHAPES = {"W1": ("h", 64), "b1": ("h", 1), "W2": (10, "h"), "b2": (10, 1), "x": (64, "n"), "y": ("n",)}

GENERATED["mlp_d2l_numpy"] = (MLP_D2L, "W1,W2", "numpy", {"shapes": MLP_D2L_SHAPES})
GENERATED["mlp_3layer_numba"] = (MLP_3LAYER, "W1,b1,W2,b2,W3,b3", "numba", {"shapes": MLP_3LAYER_SHAPES})

# A two-step recurrent cell written as people write Python (issue 13): the state h and the loss are
# reassigned and accumulated with +=; bpc names the versions h, h_2 and loss, loss_2.
RNN_REASSIGN = '''\
def rnn2(w, u, b, x1, x2, y):
    h = tanh(w * x1 + b)
    h = tanh(w * x2 + u * h + b)
    err = h - y
    loss = err**2
    loss += 0.01 * (w**2 + u**2)
    return loss
'''
GENERATED["rnn_reassign_numpy"] = (RNN_REASSIGN, "w,u,b", "numpy")
