"""Vector math: exp, log, sin, ... as branch-free Numba code that LLVM vectorises."""
