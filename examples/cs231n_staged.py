"""CS231n's staged backprop example: f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2).

Compiles the staged program, prints the emitted backward pass, evaluates it at
(x, y) = (3, -4) and checks it against finite differences.
"""
import compiler
from compiler.check import gradient_check
from sources import CS231N_PROGRAM as PROGRAM


g = compiler.compile(PROGRAM)
print(g.source)
value, (dy, dx) = g(x=3.0, y=-4.0)          # inputs are (y, x): order of first appearance
print(f"f(3, -4) = {value:.6f}   df/dx = {dx:.6f}   df/dy = {dy:.6f}")
result = gradient_check(g, points=3, seed=1)
print(result.table())
assert result.ok
