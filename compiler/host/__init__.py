"""The host side of emitted modules: ordinary, importable, tested Python that every module of a
target shares, instead of text copied into each one by a template.

    broadcast.py     numpy target: inputs broadcast together, results made full arrays or totals
    kernel.py        numba target: flat input arrays, out= arrays, results gathered from the kernel
    device.py        cuda target: GPU or host arrays in, launch configuration, results back
    arrays.py        array programs: input shape checks, softmax and cross-entropy (NumPy)
    arrays_njit.py   the same helpers for array programs inside @njit

Emitted modules import what they use from here (``from compiler.host.kernel import points as
_points``); nothing here imports SymPy or the code generator.
"""
