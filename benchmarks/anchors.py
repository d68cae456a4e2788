"""Hand-written anchors for F1-F4: fused Numba kernels (value + gradient, and value only) and
CS231n-style staged NumPy code. Written by hand, independently of bpc's code generator."""
import math

import numpy as np
from numba import njit, prange

JIT = dict(parallel=True, error_model="numpy", cache=True)


@njit(**JIT)
def f1_grad(x, y, f, dx, dy):
    for i in prange(x.shape[0]):
        xi, yi = x[i], y[i]
        sy = 1.0 / (1.0 + math.exp(-yi))
        sx = 1.0 / (1.0 + math.exp(-xi))
        num = xi + sy
        xpy = xi + yi
        den = sx + xpy * xpy
        inv = 1.0 / den
        fi = num * inv
        dden = -fi * inv
        dxpy = 2.0 * xpy * dden
        f[i] = fi
        dx[i] = inv + sx * (1.0 - sx) * dden + dxpy
        dy[i] = sy * (1.0 - sy) * inv + dxpy


@njit(**JIT)
def f1_value(x, y, f):
    for i in prange(x.shape[0]):
        xi, yi = x[i], y[i]
        xpy = xi + yi
        f[i] = (xi + 1.0 / (1.0 + math.exp(-yi))) / (1.0 / (1.0 + math.exp(-xi)) + xpy * xpy)


@njit(**JIT)
def f2_grad(w0, x0, w1, x1, w2, f, dw0, dx0, dw1, dx1, dw2):
    for i in prange(w0.shape[0]):
        s = 1.0 / (1.0 + math.exp(-(w0[i] * x0[i] + w1[i] * x1[i] + w2[i])))
        ds = s * (1.0 - s)
        f[i] = s
        dw0[i] = x0[i] * ds
        dx0[i] = w0[i] * ds
        dw1[i] = x1[i] * ds
        dx1[i] = w1[i] * ds
        dw2[i] = ds


@njit(**JIT)
def f2_value(w0, x0, w1, x1, w2, f):
    for i in prange(w0.shape[0]):
        f[i] = 1.0 / (1.0 + math.exp(-(w0[i] * x0[i] + w1[i] * x1[i] + w2[i])))


@njit(**JIT)
def f3_grad(x, y, z, f, dx, dy, dz):
    for i in prange(x.shape[0]):
        xi, yi, zi = x[i], y[i], z[i]
        xy = xi * yi
        s = math.sin(xy)
        e = math.exp(-zi * zi)
        q = 1.0 + xi * xi + yi * yi
        lg = math.log(q)
        t = math.tanh(zi)
        f[i] = s * e + lg * t
        c = math.cos(xy) * e
        dq = t / q
        dx[i] = c * yi + 2.0 * xi * dq
        dy[i] = c * xi + 2.0 * yi * dq
        dz[i] = -2.0 * zi * s * e + lg * (1.0 - t * t)


@njit(**JIT)
def f3_value(x, y, z, f):
    for i in prange(x.shape[0]):
        xi, yi, zi = x[i], y[i], z[i]
        f[i] = math.sin(xi * yi) * math.exp(-zi * zi) + math.log(1.0 + xi * xi + yi * yi) * math.tanh(zi)


@njit(**JIT)
def f4_grad(x, y, f, dx, dy):
    for i in prange(x.shape[0]):
        xi, yi = x[i], y[i]
        a = 1.0 - xi
        b = yi - xi * xi
        f[i] = a * a + 100.0 * b * b
        db = 200.0 * b
        dx[i] = -2.0 * a - 2.0 * xi * db
        dy[i] = db


@njit(**JIT)
def f4_value(x, y, f):
    for i in prange(x.shape[0]):
        a = 1.0 - x[i]
        b = y[i] - x[i] * x[i]
        f[i] = a * a + 100.0 * b * b


NUMBA_GRAD = {"F1": f1_grad, "F2": f2_grad, "F3": f3_grad, "F4": f4_grad}
NUMBA_VALUE = {"F1": f1_value, "F2": f2_value, "F3": f3_value, "F4": f4_value}


# -- CS231n-style staged NumPy ---------------------------------------------------------------

def np_f1(x, y):
    sigy = 1.0 / (1.0 + np.exp(-y))
    num = x + sigy
    sigx = 1.0 / (1.0 + np.exp(-x))
    xpy = x + y
    xpysqr = xpy**2
    den = sigx + xpysqr
    invden = 1.0 / den
    f = num * invden
    dnum = invden
    dinvden = num
    dden = (-1.0 / den**2) * dinvden
    dsigx = (1 - sigx) * sigx * dden
    dxpy = (2 * xpy) * dden
    dx = dxpy + dsigx + dnum
    dsigy = dnum
    dy = dxpy + (1 - sigy) * sigy * dsigy
    return f, (dx, dy)


def np_f2(w0, x0, w1, x1, w2):
    dot = w0 * x0 + w1 * x1 + w2
    f = 1.0 / (1 + np.exp(-dot))
    ddot = (1 - f) * f
    return f, (x0 * ddot, w0 * ddot, x1 * ddot, w1 * ddot, ddot)


def np_f3(x, y, z):
    xy = x * y
    s = np.sin(xy)
    e = np.exp(-z**2)
    q = 1 + x**2 + y**2
    lg = np.log(q)
    t = np.tanh(z)
    f = s * e + lg * t
    dxy = np.cos(xy) * e
    dq = t / q
    return f, (dxy * y + 2 * x * dq, dxy * x + 2 * y * dq, -2 * z * s * e + lg * (1 - t**2))


def np_f4(x, y):
    a = 1 - x
    b = y - x**2
    f = a**2 + 100 * b**2
    db = 200 * b
    return f, (-2 * a - 2 * x * db, db)


NUMPY_STAGED = {"F1": np_f1, "F2": np_f2, "F3": np_f3, "F4": np_f4}
