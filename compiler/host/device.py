"""cuda target: inputs as GPU arrays (copied from the host, or used in place), the launch
configuration, and results back as the kind of array the caller passed."""
from __future__ import annotations

import warnings

import numpy as np
from numba import config, cuda

THREADS = 256          # threads per block (a power of two: the block reduction halves it)
BLOCKS_PER_SM = 32     # grid size cap, in blocks per multiprocessor; the grid-stride loop does the rest
DEVICE_TYPES = (cuda.devicearray.FakeCUDAArray,) if config.ENABLE_CUDASIM else ()


def on_device(a) -> bool:
    return hasattr(a, "__cuda_array_interface__") or isinstance(a, DEVICE_TYPES)


def points(names, values, dtype):
    """Per-point inputs as flat, contiguous ``dtype`` GPU arrays of one shape, and whether they came as GPU arrays."""
    device = [on_device(v) for v in values]
    if any(device):
        if not all(device):
            host = [n for n, d in zip(names, device) if not d]
            raise ValueError(f"inputs {', '.join(host)} are on the host while others are GPU arrays: "
                             f"pass every per-point input as a GPU array (or make scalars params=)")
        arrays = [v if isinstance(v, DEVICE_TYPES) else cuda.as_cuda_array(v) for v in values]
        shape = arrays[0].shape
        for name, a in zip(names, arrays):
            if a.shape != shape or a.dtype != dtype or not a.is_c_contiguous():
                raise ValueError(f"GPU input {name!r} must be a C-contiguous {np.dtype(dtype).name} array of "
                                 f"shape {shape}, got {a.dtype} {a.shape}")
        return shape, [a.reshape(a.size) for a in arrays], True
    arrays = [np.asarray(v, dtype=dtype) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
    return shape, [cuda.to_device(a) for a in flat], False


def outputs(out, size, count, device, dtype):
    """Arrays the kernel writes, and the arrays to return: new ones, or an earlier result passed as ``out=``."""
    kernel_outs = [cuda.device_array(size, dtype=dtype) for _ in range(count)] if out is None or not device else None
    if out is None:
        return kernel_outs, None
    value, grads = out
    given = [a for a in (value, *grads) if np.ndim(a) > 0]
    if len(given) != count:
        raise ValueError(f"out= must be an earlier result of this function: expected {count} arrays, got {len(given)}")
    if not device:
        for a in given:
            if not isinstance(a, np.ndarray) or a.size != size or a.dtype != dtype or not a.flags.c_contiguous:
                raise ValueError(f"out= arrays must be C-contiguous {np.dtype(dtype).name} NumPy arrays of {size} "
                                 f"elements, like the inputs")
        return kernel_outs, given
    views = [a if isinstance(a, DEVICE_TYPES) else cuda.as_cuda_array(a) for a in given]
    for a in views:
        if a.size != size or a.dtype != dtype or not a.is_c_contiguous():
            raise ValueError(f"out= arrays must be C-contiguous {np.dtype(dtype).name} GPU arrays of {size} "
                             f"elements, like the inputs")
    return [a.reshape(size) for a in views], given


def launch(n):
    """(blocks, threads): enough blocks to fill the GPU, a grid-stride loop over the rest."""
    if config.ENABLE_CUDASIM:
        return max(1, min(-(-n // 32), 4)), 32     # the simulator runs each thread as a Python thread
    sms = cuda.get_current_device().MULTIPROCESSOR_COUNT
    return max(1, min(-(-n // THREADS), sms * BLOCKS_PER_SM)), THREADS


def run(kernel, n, *args):
    blocks, threads = launch(n)
    if config.ENABLE_CUDASIM:
        with warnings.catch_warnings():
            # simulated threads compute on NumPy scalars, which warn where the GPU quietly gives inf/nan
            warnings.simplefilter("ignore", RuntimeWarning)
            kernel[blocks, threads](*args)
    else:
        kernel[blocks, threads](*args)


def like(kind, array):
    """A GPU result in the kind of array the caller passed (CuPy, PyTorch, Numba), sharing its memory."""
    library = type(kind).__module__.split(".")[0]
    if library == "cupy":
        import cupy

        return cupy.asarray(array)
    if library == "torch":
        import torch

        return torch.as_tensor(array, device=kind.device)
    return array


def results(reduced, outs, given, sums, shape, n, mean, kind, dtype):
    """(value, grads): per-point results copied back to the host, or wrapped as GPU arrays of the
    ``kind`` the caller passed (None: host arrays); totals over points from the block sums; in the
    order of ``reduced``."""
    totals = iter(sums.copy_to_host() / n if mean else sums.copy_to_host()) if sums is not None else iter(())
    device = kind is not None
    if device:
        arrays = given or [like(kind, a.reshape(shape)) for a in outs]
    else:
        arrays = given or [np.empty(shape, dtype=dtype) for _ in outs]
        for o, host in zip(outs, arrays):
            o.copy_to_host(host.reshape(-1))
    arrays = iter(a if device or a.ndim else a[()] for a in arrays)
    values = [dtype(next(totals)) if r else next(arrays) for r in reduced]
    return values[0], tuple(values[1:])
