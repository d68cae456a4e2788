"""bpc's own Numba functions (compiler.vecmath, compiler.special.cpu) are cached on disk: a second
process loads them and gets the same machine code; a changed bpc (fingerprint) recompiles them."""
import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = r"""
import json, sys
import numpy as np
if len(sys.argv) > 1:                     # pretend bpc's code changed
    import compiler.fingerprint as fp
    fp.code_fingerprint = lambda: "changed"
import numba
from compiler.special import cpu
from compiler.vecmath import f64

@numba.njit(error_model="numpy")
def kernel(x, out):
    for i in range(x.size):
        out[i] = f64.exp(x[i]) + cpu.digamma(x[i])

x = np.linspace(0.5, 3.0, 7)
out = np.empty(7)
kernel(x, out)
stats = {name: f.stats for name, f in (("exp", f64.exp), ("digamma", cpu.digamma))}
print(json.dumps({"out": out.tolist(), "asm": kernel.inspect_asm(kernel.signatures[0]),
                  "hits": {k: sum(s.cache_hits.values()) for k, s in stats.items()},
                  "misses": {k: sum(s.cache_misses.values()) for k, s in stats.items()},
                  "path": f64.exp.stats.cache_path}))
"""


def _run(tmp_path, *args):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_library_functions_load_from_the_cache_and_a_changed_bpc_recompiles_them(tmp_path):
    first = _run(tmp_path)
    assert first["hits"] == {"exp": 0, "digamma": 0} and first["misses"] == {"exp": 1, "digamma": 1}
    assert first["path"].startswith(str(tmp_path))            # Numba's choice of place: $NUMBA_CACHE_DIR

    second = _run(tmp_path)
    assert second["hits"] == {"exp": 1, "digamma": 1} and second["misses"] == {"exp": 0, "digamma": 0}
    assert second["out"] == first["out"]
    # the kernel calling them compiles to the same code: LLVM still inlines a cached exp
    assert second["asm"] == first["asm"]
    # exact values of digamma: -gamma - 2 ln 2 at 1/2, 3/2 - gamma at 3
    euler = 0.5772156649015329
    assert abs(first["out"][0] - (np.exp(0.5) - euler - 2 * np.log(2))) < 1e-14
    assert abs(first["out"][-1] - (np.exp(3.0) + 1.5 - euler)) < 1e-13

    changed = _run(tmp_path, "changed")
    assert changed["hits"] == {"exp": 0, "digamma": 0} and changed["misses"] == {"exp": 1, "digamma": 1}
    assert changed["out"] == first["out"]


def test_without_a_writable_cache_directory_the_functions_still_compile(monkeypatch):
    """No locator finds a writable place (as for a read-only install with a read-only home): Numba's
    cache=True raises at import there; njit_cached compiles without a cache instead."""
    from compiler import jitcache

    monkeypatch.setattr(jitcache._Impl, "_locator_classes", [])

    @jitcache.njit_cached(error_model="numpy")
    def half(x):
        return x / 2.0

    assert half(3.0) == 1.5 and half.stats.cache_path is None
