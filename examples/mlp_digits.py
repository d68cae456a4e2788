"""An MLP on scikit-learn's bundled 8x8 digits (1,797 images), trained with bpc's gradients.

64 -> 64 (tanh) -> 10, softmax cross-entropy with weight decay (examples/sources.py: MLP_DIGITS),
numpy target, mini-batch gradient descent with momentum. Needs scikit-learn (an optional
dependency of the examples, part of the test extra). Prints the loss per epoch and the test
accuracy on a held-out quarter of the images.
"""
import numpy as np
from sklearn.datasets import load_digits

import compiler
from sources import MLP_DIGITS, MLP_DIGITS_SHAPES

digits = load_digits()
rng = np.random.default_rng(0)
order = rng.permutation(len(digits.target))
x_all, y_all = digits.data[order].T / 16.0, digits.target[order]      # (64, n): columns are images
split = int(0.75 * len(y_all))
x_train, y_train, x_test, y_test = x_all[:, :split], y_all[:split], x_all[:, split:], y_all[split:]

WRT = ("W1", "b1", "W2", "b2")
g = compiler.compile(MLP_DIGITS, target="numpy", shapes=MLP_DIGITS_SHAPES, wrt=WRT)
params = {"W1": rng.normal(0, 0.1, (64, 64)), "b1": np.zeros((64, 1)),
          "W2": rng.normal(0, 0.1, (10, 64)), "b2": np.zeros((10, 1))}
velocity = {k: np.zeros_like(v) for k, v in params.items()}


def accuracy(x, y):
    h = np.tanh(params["W1"] @ x + params["b1"])
    return np.mean(np.argmax(params["W2"] @ h + params["b2"], axis=0) == y)


for epoch in range(30):
    batches = rng.permutation(split)
    losses = []
    for start in range(0, split, 32):
        batch = batches[start:start + 32]
        loss, grads = g(x=x_train[:, batch], y=y_train[batch], lam=1e-4, **params)
        for name, grad in zip(WRT, grads):
            velocity[name] = 0.9 * velocity[name] - 0.1 * grad
            params[name] += velocity[name]
        losses.append(loss)
    print(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {accuracy(x_test, y_test):.3f}")
test_accuracy = accuracy(x_test, y_test)
print(f"test accuracy {test_accuracy:.3f} on {len(y_test)} held-out images")
assert test_accuracy >= 0.95
