"""The 10 -> 20 -> 10 -> 5 network of the hand-written NumPy article (ReLU, ReLU, sigmoid, softmax
cross-entropy), trained with the gradients bpc emits for it (numba target: one @njit function).

Data: five Gaussian clusters in 10 dimensions. Prints the loss per epoch and the accuracy. (The
loss cannot fall far below 0.9: the softmax sees sigmoid outputs, which lie in (0, 1).)
"""
import numpy as np

import compiler
from sources import MLP_3LAYER, MLP_3LAYER_SHAPES

g = compiler.compile(MLP_3LAYER, target="numba", shapes=MLP_3LAYER_SHAPES, wrt="W1,b1,W2,b2,W3,b3")


rng = np.random.default_rng(1)
centres = rng.normal(0, 2.0, (5, 10))
labels = rng.integers(0, 5, 2000)
data = (centres[labels] + rng.normal(0, 1.0, (2000, 10))).T          # (10, n): columns are examples
train, test = slice(0, 1600), slice(1600, 2000)

params = {"W1": rng.normal(0, 0.3, (20, 10)), "b1": np.zeros((20, 1)), "W2": rng.normal(0, 0.3, (10, 20)),
          "b2": np.zeros((10, 1)), "W3": rng.normal(0, 0.3, (5, 10)), "b3": np.zeros((5, 1))}


def predict(x):
    h = np.maximum(params["W1"] @ x + params["b1"], 0)
    h = np.maximum(params["W2"] @ h + params["b2"], 0)
    return np.argmax(params["W3"] @ h + params["b3"], axis=0)      # sigmoid is monotone


for epoch in range(15):
    order = rng.permutation(1600)
    losses = []
    for start in range(0, 1600, 64):
        batch = order[start:start + 64]
        loss, grads = g(x=data[:, train][:, batch], y=labels[train][batch], **params)
        for name, grad in zip(g.wrt, grads):
            params[name] -= 1.0 * grad
        losses.append(loss)
    accuracy = np.mean(predict(data[:, test]) == labels[test])
    print(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {accuracy:.3f}")
assert accuracy > 0.9
