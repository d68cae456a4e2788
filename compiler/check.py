"""Gradient check: the emitted gradient against central finite differences of the emitted value.

Relative error is CS231n's |a - n| / max(|a|, |n|) (0 when both are 0). The finite difference
is Richardson's extrapolation of the five-point central stencil (O(h^4)) over halving steps,
starting at h = 1e-3 * max(|x|, 0.01) (which shrinks with x, so a step stays well inside
domains such as log's); steps whose stencil is not finite (exp(709.5 + h) overflows) are
dropped, and the estimate comes with its own error: the difference between the two best
successive steps. A check never blames the gradient for the difference's own trouble: a point
where no step gives a finite difference, or where the difference is less certain than the
disagreement it found, is reported as not checkable, with the reason.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

STEPS = 14            # halvings of the first step that are tried


def relative_error(a: float, n: float) -> float:
    if a == n:
        return 0.0
    if not (math.isfinite(a) and math.isfinite(n)):
        return math.inf
    return abs(a - n) / max(abs(a), abs(n))


def derivative(value, point: list[float], i: int) -> tuple[float, float]:
    """(estimate, error estimate) of d value / d point[i]; ``value`` maps a list to a float.
    The estimate is nan when no step gives a finite five-point difference."""
    h = 1e-3 * max(abs(point[i]), 1e-2)

    def at(offset):
        shifted = list(point)
        shifted[i] += offset
        return value(shifted)

    stencils = []
    for _ in range(STEPS):
        # differences first, so values near the overflow threshold do not overflow the sum
        d = ((at(-2 * h) - at(2 * h)) + 8 * (at(h) - at(-h))) / (12 * h)
        stencils.append(d if math.isfinite(d) else None)
        if len(stencils) >= 2 and None not in stencils[-2:] and abs(stencils[-1] - stencils[-2]) <= 1e-13 * abs(d):
            break                                   # two steps agree to rounding: nothing left to gain
        h /= 2
    best = (math.nan, math.inf)
    for coarse, fine in zip(stencils, stencils[1:]):
        if coarse is None or fine is None:
            continue
        error = abs(fine - coarse) / 15            # the O(h^4) error of `fine`, Richardson's estimate
        if error < best[1] or math.isnan(best[0]):
            best = (fine + (fine - coarse) / 15, error)
    if math.isnan(best[0]):
        finite = [d for d in stencils if d is not None]
        if finite:                                  # one finite step only: no error estimate
            best = (finite[-1], math.inf)
    return best


def finite_difference(value, point: list[float], i: int) -> float:
    """The estimate of ``derivative`` alone."""
    return derivative(value, point, i)[0]


@dataclass
class CheckRow:
    point: dict
    name: str
    analytic: float
    numeric: float
    error: float
    uncertainty: float = 0.0      # the finite difference's own error estimate
    reason: str | None = None     # why the point could not be checked (None: it was)

    @property
    def checked(self) -> bool:
        return self.reason is None


def judge(point: dict, name: str, analytic: float, numeric: float, uncertainty: float, tol: float) -> CheckRow:
    """A row: checked (its relative error counts) or not checkable (and why)."""
    error = relative_error(analytic, numeric)
    reason = None
    if not math.isfinite(numeric):
        reason = "no step gives a finite difference (the value overflows or is not finite nearby)"
    elif error > tol and abs(analytic - numeric) <= 2 * uncertainty:
        reason = f"the finite difference is uncertain by {uncertainty:.1e}, more than the disagreement"
    return CheckRow(point, name, analytic, numeric, error, uncertainty, reason)


@dataclass
class CheckResult:
    rows: list = field(default_factory=list)
    tol: float = 1e-6
    skipped: int = 0

    @property
    def checked(self) -> list:
        return [r for r in self.rows if r.checked]

    @property
    def max_error(self) -> float:
        return max((r.error for r in self.checked), default=0.0)

    @property
    def ok(self) -> bool:
        return bool(self.checked) and self.max_error <= self.tol

    @property
    def verdict(self) -> str:
        return "OK" if self.ok else ("FAIL" if self.checked else "NOT CHECKED")

    def table(self) -> str:
        names = list(self.rows[0].point) if self.rows else []
        head = ["point", *names, "wrt", "analytic", "numeric", "rel. error"]
        body = []
        per_point = max(1, len({r.name for r in self.rows}))
        for k, row in enumerate(self.rows):
            body.append([str(k // per_point + 1), *(f"{row.point[n]:.6g}" for n in names), row.name,
                         f"{row.analytic:.10g}", f"{row.numeric:.10g}",
                         f"{row.error:.2e}" if row.checked else "not checkable"])
        widths = [max(len(h), *(len(line[c]) for line in body)) if body else len(h) for c, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
        lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in body]
        unchecked = [r for r in self.rows if not r.checked]
        summary = f"{self.verdict}: max relative error {self.max_error:.2e} (tolerance {self.tol:g}, " \
                  f"{len(self.checked)} checks"
        if unchecked:
            summary += f", {len(unchecked)} not checkable: {unchecked[0].reason}"
        if self.skipped:
            summary += f", {self.skipped} sampled points skipped: value or gradient not finite"
        lines.append(summary + ")")
        return "\n".join(lines)


def gradient_check(g, points: int = 5, seed: int = 0, low: float = -1.0, high: float = 1.0,
                   tol: float = 1e-6, sizes: dict | None = None) -> CheckResult:
    """Compare ``g``'s gradient with finite differences at ``points`` random points in [low, high]."""
    if getattr(g, "mode", None) is not None:
        return second_check(g, points, seed, low, high, tol, sizes or {})
    if g.shapes is not None:
        return _array_check(g, points, seed, low, high, tol, sizes or {})
    rng = random.Random(seed)
    result = CheckResult(tol=tol)
    index = {name: i for i, name in enumerate(g.inputs)}

    def value(xs):
        return float(g(*xs)[0])

    tries = 0
    found = 0
    while found < points and tries < 100 * points:
        tries += 1
        xs = [rng.uniform(low, high) for _ in g.inputs]
        f, grads = g(*xs)
        grads = [float(v) for v in grads]
        if not (math.isfinite(float(f)) and all(math.isfinite(v) for v in grads)):
            result.skipped += 1
            continue
        found += 1
        for name, analytic in zip(g.wrt, grads):
            numeric, uncertainty = derivative(value, xs, index[name])
            result.rows.append(judge(dict(zip(g.inputs, xs)), name, analytic, numeric, uncertainty, tol))
    return result


def _array_check(g, points, seed, low, high, tol, sizes) -> CheckResult:
    """Array programs: random arrays of the declared shapes (named sizes from ``sizes``, else 3;
    four points along a first axis when the program has points), integer labels below the class
    count; each gradient checked along a random direction u: sum(gradient * u) against the central
    difference of the summed value along u."""
    import numpy as np

    rng, draw = _array_inputs(g, seed, low, high, sizes)
    result = CheckResult(tol=tol)

    def total(values):
        return float(np.sum(g(**values)[0]))

    for _ in range(points):
        values = draw()
        f, grads = g(**values)
        if not (np.all(np.isfinite(f)) and all(np.all(np.isfinite(d)) for d in grads)):
            result.skipped += 1
            continue
        for name, grad in zip(g.wrt, grads):
            u = rng.standard_normal(np.shape(values[name]))
            analytic = float(np.sum(np.asarray(grad) * u))
            numeric, uncertainty = derivative(
                lambda t, name=name, u=u: total({**values, name: values[name] + t[0] * u}), [0.0], 0)
            result.rows.append(judge({}, name, analytic, numeric, uncertainty, tol))
    return result


def second_check(g, points: int = 5, seed: int = 0, low: float = -1.0, high: float = 1.0, tol: float = 1e-6,
                 sizes: dict | None = None) -> CheckResult:
    """Second order against finite differences of the first: each Hessian entry ``H[i][j]``
    against the difference of the emitted gradient ``d/dwrt[j]`` along ``wrt[i]``; a
    Hessian-vector product ``Hv`` against the difference of the gradient along ``v``; a JVP
    against the difference of the value along ``v`` (``v`` random, one value per wrt input).
    Array programs (hvp, jvp) are checked as the gradient is: along a random direction u,
    sum(Hv * u) against the difference of sum(gradient * u) along v."""
    if g.shapes is not None:
        return _array_second_check(g, points, seed, low, high, tol, sizes or {})
    rng = random.Random(seed)
    result = CheckResult(tol=tol)
    index = {name: i for i, name in enumerate(g.inputs)}
    tries = found = 0
    while found < points and tries < 100 * points:
        tries += 1
        xs = [rng.uniform(low, high) for _ in g.inputs]
        v = [rng.uniform(-1.0, 1.0) for _ in g.wrt]
        kwargs = {"v": tuple(v)} if g.mode in ("jvp", "hvp") else {}
        got = g(*xs, **kwargs)
        flat = [float(got[0])] + ([float(got[1])] if g.mode == "jvp" else
                                  [float(d) for d in got[1]] + [float(e) for e in _entries(g.mode, got[2])])
        if not all(math.isfinite(a) for a in flat):
            result.skipped += 1
            continue
        found += 1
        point = dict(zip(g.inputs, xs))

        def along(t, fn, xs=xs, v=v):
            shifted = list(xs)
            for w, vw in zip(g.wrt, v):
                shifted[index[w]] += t[0] * vw
            return fn(shifted)

        if g.mode == "jvp":
            numeric, uncertainty = derivative(lambda t: along(t, lambda s: float(g(*s, **kwargs)[0])), [0.0], 0)
            result.rows.append(judge(point, "df along v", float(got[1]), numeric, uncertainty, tol))
        elif g.mode == "hvp":
            for k, w in enumerate(g.wrt):
                numeric, uncertainty = derivative(
                    lambda t, k=k: along(t, lambda s: float(g(*s, **kwargs)[1][k])), [0.0], 0)
                result.rows.append(judge(point, f"Hv[{w}]", float(got[2][k]), numeric, uncertainty, tol))
        else:
            for i, wi in enumerate(g.wrt):
                for j in range(i, len(g.wrt)):
                    numeric, uncertainty = derivative(lambda s, j=j: float(g(*s)[1][j]), xs, index[wi])
                    result.rows.append(judge(point, f"H[{wi},{g.wrt[j]}]", float(got[2][i][j]), numeric,
                                             uncertainty, tol))
    return result


def _array_inputs(g, seed, low, high, sizes):
    """The random generator and a function drawing one set of array inputs of the declared shapes
    (named sizes from ``sizes``, default 3; four points along a first axis when the program has
    points), integer labels below the class count."""
    import numpy as np

    graph = g._staged()
    rng = np.random.default_rng(seed)
    dims = {d: int(sizes.get(d, 3)) for shape in g.shapes.values() for d in shape if isinstance(d, str)}
    every = graph.all_shapes()
    classes = {}
    for stage in graph.stages:
        if stage.op == "cross_entropy" and dict(stage.attrs).get("labels"):
            o, y = stage.args
            size = every[o.name][dict(stage.attrs)["axis"]]
            classes[dict(zip(graph.idents, graph.inputs)).get(y.name)] = dims.get(size, size)
    per_point = bool(g.params or g.reduce)

    def draw() -> dict:
        values = {}
        for name in g.inputs:
            shape = tuple(dims.get(d, d) for d in g.shapes.get(name, ()))
            if per_point and name not in g.params:
                shape = (4, *shape)
            values[name] = rng.integers(0, classes[name], shape) if name in classes else rng.uniform(low, high, shape)
        return values

    return rng, draw


def _entries(mode, third):
    return [e for row in third for e in row] if mode == "hessian" else list(third)


def _array_second_check(g, points, seed, low, high, tol, sizes) -> CheckResult:
    import numpy as np

    rng, draw = _array_inputs(g, seed, low, high, sizes)
    result = CheckResult(tol=tol)
    for _ in range(points):
        values = draw()
        v = tuple(rng.uniform(-1.0, 1.0, np.shape(values[w])) for w in g.wrt)

        def moved(t):
            return {**values, **{w: values[w] + t * vw for w, vw in zip(g.wrt, v)}}

        got = g(**values, v=v)
        if g.mode == "jvp":
            numeric, uncertainty = derivative(lambda t: float(np.sum(g(**moved(t[0]), v=v)[0])), [0.0], 0)
            result.rows.append(judge({}, "df along v", float(np.sum(got[1])), numeric, uncertainty, tol))
            continue
        for k, w in enumerate(g.wrt):
            u = rng.standard_normal(np.shape(values[w]))
            analytic = float(np.sum(np.asarray(got[2][k]) * u))
            numeric, uncertainty = derivative(
                lambda t, k=k, u=u: float(np.sum(np.asarray(g(**moved(t[0]), v=v)[1][k]) * u)), [0.0], 0)
            result.rows.append(judge({}, f"Hv[{w}]", analytic, numeric, uncertainty, tol))
    return result
