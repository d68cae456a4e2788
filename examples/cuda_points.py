"""Value and gradient of the CS231n formula at many points on a GPU, with the data kept there.

The inputs go to the GPU once; the compiled kernel reads them and writes the value and both
gradients into GPU arrays, which are handed back without a copy to the host (a NumPy input would
be copied there and back instead). Without an NVIDIA GPU this runs in Numba's CUDA simulator
(Python threads: a few thousand points, for checking, not for speed).
"""
import os
import time

if "NUMBA_ENABLE_CUDASIM" not in os.environ and not os.path.exists("/dev/nvidia0"):
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"          # before numba is imported
SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402

import compiler  # noqa: E402
from sources import CS231N_FORMULA  # noqa: E402

n = 2_000 if SIMULATED else 10_000_000
rng = np.random.default_rng(0)
x, y = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)

g = compiler.compile(CS231N_FORMULA, target="cuda")
x_gpu, y_gpu = cuda.to_device(x), cuda.to_device(y)
f, (dx, dy) = g(x_gpu, y_gpu)                         # compiles the kernel (or loads it from the cache)
cuda.synchronize()
t0 = time.perf_counter()
f, (dx, dy) = g(x_gpu, y_gpu, out=(f, (dx, dy)))      # again, into the same GPU arrays
cuda.synchronize()
seconds = time.perf_counter() - t0
print(f"{'CUDA simulator' if SIMULATED else cuda.get_current_device().name.decode()}: {n} points, "
      f"value and gradient in {seconds * 1e3:.2f} ms; results are {type(dx).__name__}")

# the same formula on the CPU, for a check of every point
f_cpu, (dx_cpu, dy_cpu) = compiler.compile(CS231N_FORMULA, target="numpy")(x, y)
for name, gpu, cpu in (("f", f, f_cpu), ("dx", dx, dx_cpu), ("dy", dy, dy_cpu)):
    # the GPU's libdevice and NumPy may differ in the last bits: compare relative to max(|value|, 1)
    err = np.max(np.abs(gpu.copy_to_host() - cpu) / np.maximum(np.abs(cpu), 1.0))
    print(f"  {name:2s} largest difference from the numpy target: {err:.1e}")
    assert err <= 1e-12, (name, err)
