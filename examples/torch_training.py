"""Train d2l's MLP in PyTorch, with bpc's emitted forward and backward as the loss op.

g.torch() turns the compiled objective J(W1, x, W2, y, lam) into a torch.library custom op: its
forward is the emitted module, its backward the emitted staged backward, so the weights are
ordinary nn.Parameters and a torch optimizer trains them. A torch layer in front of the op (a
learned scaling of the features) shows gradients flowing through the op into the rest of the
model. Needs PyTorch (pip install 'bpc[torch]').
"""
import sys

import numpy as np

import compiler
from sources import MLP_D2L, MLP_D2L_SHAPES

try:
    import torch
except ImportError:
    print("PyTorch is not installed (pip install 'bpc[torch]'): nothing to train")
    sys.exit(0)

torch.manual_seed(0)
d, h, q, n = 4, 16, 3, 300

# three classes, each a Gaussian blob in d dimensions; columns are examples (x is (d, n))
centres = torch.randn(q, d, dtype=torch.float64) * 2.0
y = torch.randint(0, q, (n,))
x = (centres[y] + 0.7 * torch.randn(n, d, dtype=torch.float64)).T.contiguous()

objective = compiler.compile(MLP_D2L, target="numpy", shapes=MLP_D2L_SHAPES, wrt="W1,x,W2").torch()


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(d, 1, dtype=torch.float64))     # a torch layer
        self.W1 = torch.nn.Parameter(0.5 * torch.randn(h, d, dtype=torch.float64))
        self.W2 = torch.nn.Parameter(0.5 * torch.randn(q, h, dtype=torch.float64))

    def forward(self, x, y, lam=1e-3):
        return objective(self.W1, self.scale * x, self.W2, y, lam)      # bpc's op, as a loss


model = Model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for step in range(101):
    optimizer.zero_grad()
    loss = model(x, y)
    loss.backward()                       # bpc's backward for W1, W2 and x; torch's for scale
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:3d}  J = {loss.item():.4f}")

# the op's gradients are autograd's gradients of the same objective written in torch
model.zero_grad(set_to_none=True)
model(x, y).backward()
ours = [p.grad.clone() for p in model.parameters()]
model.zero_grad(set_to_none=True)
o = model.W2 @ torch.relu(model.W1 @ (model.scale * x))
J = torch.nn.functional.cross_entropy(o.T, y) + 1e-3 / 2 * ((model.W1 ** 2).sum() + (model.W2 ** 2).sum())
J.backward()
worst = max(float((a - p.grad).abs().max() / p.grad.abs().max()) for a, p in zip(ours, model.parameters()))
print(f"largest relative difference from torch autograd: {worst:.1e}")
assert worst < 1e-12

with torch.no_grad():
    accuracy = float(((model.W2 @ torch.relu(model.W1 @ (model.scale * x))).argmax(0) == y).double().mean())
print(f"training accuracy {accuracy:.3f}")
assert loss.item() < 0.3 and accuracy > 0.9, (loss.item(), accuracy)
assert np.isfinite(loss.item())
