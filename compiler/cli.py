"""The ``bpc`` command: compile, eval, check, graph and explain formulas and programs."""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import threading
import time

from .errors import BpcError

_SOURCE_HELP = ("a formula or program as text, @FILE to read a file, or - for stdin "
                "(or give the file with -f FILE instead)")


def _epilog() -> str:
    import textwrap

    from .reference import names_line

    names = names_line()                 # every row's names and the front end's aliases
    return textwrap.fill(f"SOURCE is {_SOURCE_HELP}. Functions: {names}; constant pi; operators + - * / ** "
                         "(or ^), and @ and .T in array programs. 'bpc functions --markdown' prints every "
                         "derivative.", 79)


# -- input -------------------------------------------------------------------------------------

def _read_file(path: str) -> str:
    from .frontend.limits import Limits

    limit = Limits().max_chars
    try:
        if path == "-":
            text = sys.stdin.read(limit + 1)
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(limit + 1)
    except OSError as err:
        raise BpcError(f"cannot read the source file {path}: {err.strerror}") from None
    if len(text) > limit:
        raise BpcError(f"source is more than {limit} characters")
    return text


def read_source(args) -> str:
    """The source text: SOURCE as given, @FILE or -f FILE read from a file, - from stdin. Reading a
    file is always asked for explicitly, and said on stderr."""
    given = getattr(args, "source", None)
    if args.file is not None and given is not None:
        raise BpcError("give the source either as SOURCE or with -f FILE, not both")
    if args.file is None and given is None:
        raise BpcError("no source given", hint="write a formula, @FILE, -f FILE or - for stdin")
    path = args.file if args.file is not None else (given[1:] if given.startswith("@") else None)
    if given == "-":
        path = "-"
    if path is None:
        if os.path.isfile(given):
            _note(args, f"compiling the text {given!r} as a formula; to read the file, write @{given}")
        return given
    text = _read_file(path)
    _note(args, f"source read from {'stdin' if path == '-' else path} ({len(text.splitlines())} lines)")
    return text


def _note(args, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"bpc: {message}", file=sys.stderr)


def _split_pairs(text: str) -> list[str]:
    """``x=3,W=[[1,2],[3,4]]`` -> ``["x=3", "W=[[1,2],[3,4]]"]``: commas inside brackets stay."""
    items, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            items.append(text[start:k])
            start = k + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]


def number(text: str, name: str) -> float:
    """A float64 from text; ``inf``/``-inf``/``nan`` as written; a finite number too large for float64
    (``1e400``) is an error rather than a silent infinity."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        raise BpcError(f"{text!r} is not a number (for {name!r})") from None
    if math.isinf(value) and "inf" not in text.lower():
        raise BpcError(f"{name}={text} does not fit in float64 (largest about 1.8e308)",
                       hint="write inf or -inf for an infinity")
    return value


def parse_values(text: str, option: str = "--at") -> dict:
    """``name=value`` pairs; a value is a number or, for arrays, a JSON list (``W=[[1,2],[3,4]]``)."""
    import numpy as np

    values = {}
    for item in _split_pairs(text):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BpcError(f"{option} expects name=value pairs separated by commas, got {item!r}")
        if value.strip().startswith("["):
            try:
                values[name] = np.array(json.loads(value), dtype=np.float64)
            except (ValueError, TypeError) as err:
                raise BpcError(f"{option}: {name}= is not a JSON list of numbers: {err}") from None
        else:
            values[name] = number(value, name)
    return values


def _shapes(args):
    if getattr(args, "shapes", None) is None:
        return None
    try:
        shapes = json.loads(args.shapes)
    except ValueError as err:
        raise BpcError(f"--shapes takes JSON, e.g. '{{\"W\": [\"h\", \"d\"]}}': {err}") from None
    if not isinstance(shapes, dict):
        raise BpcError("--shapes takes a JSON object: input name -> list of sizes")
    return shapes


def _options(args) -> dict:
    """compile() options from the common arguments."""
    return {"wrt": args.wrt, "target": args.target, "shapes": _shapes(args), "inputs": args.inputs,
            "params": args.params or (), "reduce": args.reduce, "math": args.math}


def _second(args) -> dict:
    """compile()'s second-order options from --order, --hvp, --jvp (commands that take them)."""
    return {"order": getattr(args, "order", 1), "hvp": getattr(args, "hvp", False), "jvp": getattr(args, "jvp", False)}


def _compile(args):
    from .runtime import compile

    return compile(read_source(args), **_options(args), **_second(args))


# -- output ------------------------------------------------------------------------------------

def _json_value(v):
    """JSON has no inf or nan: those are written as the strings "inf", "-inf", "nan"; arrays as lists."""
    import numpy as np

    if np.ndim(v):
        return [_json_value(x) for x in np.asarray(v)]
    v = float(v)
    return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def _text_value(v) -> str:
    """A number as Python writes it (``1.5``, ``inf``, ``nan``); an array as NumPy prints it."""
    import numpy as np

    if np.ndim(v):
        return np.array2string(np.asarray(v), separator=", ", threshold=1000)
    return repr(float(v))


def _evaluate(g, point: dict):
    unknown = [n for n in point if n not in g.inputs]
    if unknown:
        raise BpcError(f"unknown input {unknown[0]!r}", hint=f"inputs are: {', '.join(g.inputs)}")
    missing = [n for n in g.inputs if n not in point]
    if missing:
        raise BpcError(f"no value given for input {missing[0]!r}", hint=f"inputs are: {', '.join(g.inputs)}")
    try:
        return g(**point)
    except ValueError as err:       # shapes or labels that do not fit the program
        raise BpcError(str(err)) from None


# -- commands ----------------------------------------------------------------------------------

def cmd_compile(args) -> int:
    from .runtime import generate

    source = read_source(args)
    options = _options(args)
    if args.memory is not None:
        from .runtime import compile

        sizes = {k: int(v) for k, v in parse_values(args.memory, "--memory").items()}
        print(compile(source, **options, **_second(args)).memory(**sizes))
        return 0
    if args.ptx is not None:
        if args.target != "cuda":
            raise BpcError("--ptx needs --target cuda")
        try:
            cc = tuple(int(part) for part in args.ptx.split("."))
        except ValueError:
            cc = ()
        if len(cc) != 2:
            raise BpcError(f"--ptx takes a compute capability like 9.0, got {args.ptx!r}")
        from .runtime import compile

        text = compile(source, **options, **_second(args)).ptx(cc)
    else:
        from .request import second_mode

        text, _ = generate(source, **options, second=second_mode(**_second(args)))
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        _note(args, f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_eval(args) -> int:
    if (args.at is None) == (args.points is None):
        raise BpcError("give exactly one of --at name=value,... or --points FILE.json")
    g = _compile(args)
    if args.at is not None:
        results = [_evaluate(g, parse_values(args.at))]
    else:
        try:
            with open(args.points, encoding="utf-8") as handle:
                points = json.load(handle)
        except (OSError, ValueError) as err:
            raise BpcError(f"cannot read points from {args.points}: {err}") from None
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise BpcError("--points file must hold a JSON list of {name: value} objects")
        results = [_evaluate(g, {k: _point_value(k, v) for k, v in p.items()}) for p in points]
    if args.json:
        out = [{"value": _json_value(v), "grad": {n: _json_value(d) for n, d in zip(g.wrt, grads)}}
               for v, grads in results]
        print(json.dumps(out if args.points is not None else out[0], ensure_ascii=False))
    else:
        for value, grads in results:
            print(f"value = {_text_value(value)}")
            for name, d in zip(g.wrt, grads):
                print(f"d/d{name} = {_text_value(d)}")
    return 0


def _point_value(name, v):
    import numpy as np

    if isinstance(v, list):
        return np.array(v, dtype=np.float64)
    if isinstance(v, str):
        return number(v, name)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    raise BpcError(f"--points: {name}={v!r} is not a number or a list of numbers")


def cmd_check(args) -> int:
    from .check import gradient_check

    parts = args.range.split(",")
    if len(parts) != 2:
        raise BpcError(f"--range expects lo,hi, got {args.range!r}")
    low, high = (number(v, "--range") for v in parts)
    g = _compile(args)
    sizes = {k: int(v) for k, v in parse_values(args.sizes, "--sizes").items()} if args.sizes else None
    result = gradient_check(g, points=args.points, seed=args.seed, low=low, high=high, tol=args.tol, sizes=sizes)
    if not result.rows:
        raise BpcError(f"no point in [{low}, {high}] gave a finite value and gradient",
                       hint="choose another --range")
    print(result.table())
    return 0 if result.ok else 1


def cmd_functions(args) -> int:
    from . import reference

    sys.stdout.write(reference.markdown() if args.markdown else reference.names_line() + "\n")
    return 0


def _bytes(n) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def cmd_cache(args) -> int:
    from .runtime import cache

    directory = cache.resolve_dir(args.cache_dir)
    if directory is None:
        raise BpcError("no usable cache directory: modules are kept in memory")
    if args.action == "path":
        print(directory)
    elif args.action == "size":
        found, limit = cache.info(directory), cache.size_limit()
        print(f"{found.path}: {found.modules} modules, {_bytes(found.bytes)} "
              f"(limit {_bytes(limit) if limit else 'none'}; BPC_CACHE_LIMIT sets it)")
    else:
        seconds = None
        if args.older_than is not None:
            try:
                seconds = cache.parse_duration(args.older_than)
            except ValueError:
                raise BpcError(f"--older-than takes a duration like 90s, 30m, 12h, 7d or 2w, got {args.older_than!r}") from None
        removed = cache.clear(directory, seconds)
        print(f"removed {removed} modules from {directory}")
    return 0


def cmd_graph(args) -> int:
    g = _compile(args)
    picture = g.graph(at=_point(g, args.at) if args.at else None, local=args.local, max_stages=args.max_stages)
    if picture.hidden:
        print(f"bpc: the graph has {len(g.graph.stages)} stages; showing the {args.max_stages} nearest the output "
              f"({picture.hidden} collapsed; see --max-stages)", file=sys.stderr)
    if args.output:
        picture.save(args.output)
    else:
        sys.stdout.write(picture.dot)
    return 0


def cmd_explain(args) -> int:
    g = _compile(args)
    print(g.explain(_point(g, args.at)).table())
    return 0


def _point(g, text: str) -> dict:
    point = parse_values(text)
    _evaluate(g, point)        # same checks and messages as eval
    return point


# -- progress on stderr -------------------------------------------------------------------------

class Progress(logging.Handler):
    """Prints on stderr what bpc is doing when a step takes long: a step that runs for more than a
    second is announced (on a terminal its seconds count up) and finished with its duration; a step
    that took more than half a second is reported when it ends; quick steps print nothing."""

    ANNOUNCE, REPORT = 1.0, 0.5

    def __init__(self, stream=None):
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.stderr
        self.guard = threading.Lock()
        self.open = None              # (what, start time, announced?)

    def emit(self, record):
        start, done = getattr(record, "bpc_start", None), getattr(record, "bpc_step", None)
        if start is not None:
            with self.guard:
                self._close()
                self.open = [start, time.perf_counter(), False]
            threading.Thread(target=self._watch, args=(self.open,), daemon=True).start()
        elif done is not None:
            with self.guard:
                opened, self.open = self.open, None
                if opened is not None and opened[0] == done and opened[2]:
                    prefix = "\r" if self.stream.isatty() else " "
                    self.stream.write(f"{prefix}bpc: {done} ... {record.bpc_seconds:.2f} s\n" if prefix == "\r"
                                      else f" {record.bpc_seconds:.2f} s\n")
                elif record.bpc_seconds > self.REPORT:
                    self.stream.write(f"bpc: {done}: {record.bpc_seconds:.2f} s\n")
                self.stream.flush()

    def close(self):
        with self.guard:
            self._close()
        super().close()

    def _close(self):
        if self.open is not None and self.open[2]:
            self.stream.write("\n")
        self.open = None

    def _watch(self, opened):
        time.sleep(self.ANNOUNCE)
        while True:
            with self.guard:
                if self.open is not opened:
                    return
                if not opened[2]:
                    opened[2] = True
                    self.stream.write(f"bpc: {opened[0]} ...")
                elif self.stream.isatty():
                    self.stream.write(f"\rbpc: {opened[0]} ... {time.perf_counter() - opened[1]:.0f} s")
                else:
                    return
                self.stream.flush()
            time.sleep(1.0)


# -- the parser --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from .targets import TARGETS
    from .version import __version__

    epilog = _epilog()
    parser = argparse.ArgumentParser(prog="bpc", description="Compile formulas to staged backprop code.",
                                     epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"bpc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("source", metavar="SOURCE", nargs="?", help=_SOURCE_HELP)
        p.add_argument("-f", "--file", metavar="FILE", help="read the source from FILE")
        p.add_argument("--target", default="python", choices=tuple(TARGETS))
        p.add_argument("--wrt", default=None, help="comma-separated inputs to differentiate (default: all)")
        p.add_argument("--inputs", default=None, help="the order the inputs are given in, comma-separated "
                                                      "(default: order of first appearance)")
        p.add_argument("--shapes", help='an array program: input shapes as JSON, e.g. \'{"W": ["h", "d"], "x": ["d", "n"]}\'')
        p.add_argument("--params", default=None, help="comma-separated inputs shared by every point")
        p.add_argument("--reduce", choices=("sum", "mean"), default=None,
                       help="the value and the params' gradients summed or averaged over the points")
        p.add_argument("--math", choices=("auto", "vecmath", "libm"), default=None,
                       help="numba target: compiler.vecmath's vectorisable functions or libm's; auto (the "
                            "default): vecmath for kernels of up to 128 stages")
        p.add_argument("-q", "--quiet", action="store_true", help="print nothing on stderr but errors")

    def second(p):
        p.add_argument("--order", type=int, choices=(1, 2), default=1,
                       help="2: the full Hessian too (scalar programs): value, gradient, H")
        p.add_argument("--hvp", action="store_true", help="value, gradient and a Hessian-vector product along v")
        p.add_argument("--jvp", action="store_true", help="value and the directional derivative along v")

    p = sub.add_parser("compile", help="print or write the emitted module", epilog=epilog)
    common(p)
    second(p)
    p.add_argument("-o", "--output", help="write the module to this file")
    p.add_argument("--memory", metavar="SIZES", help="print the memory report instead, e.g. n=256,d=784 "
                                                     "(array programs) or points=1000000")
    p.add_argument("--ptx", metavar="CC", help="with --target cuda: print the kernel's PTX for compute capability "
                                               "CC (e.g. 9.0) instead; needs pip install 'bpc[cuda]', not a GPU")
    p.set_defaults(run=cmd_compile)

    p = sub.add_parser("eval", help="value and gradient at one point or many", epilog=epilog)
    common(p)
    p.add_argument("--at", help="the point, e.g. x=3,y=-4 (arrays as JSON lists: W=[[1,2],[3,4]])")
    p.add_argument("--points", help="JSON file: a list of {name: value} objects")
    p.add_argument("--json", action="store_true", help='print {"value": v, "grad": {...}}')
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("check", help="compare the gradient (or, with --order 2, --hvp, --jvp, the second "
                                     "order) with finite differences", epilog=epilog)
    common(p)
    second(p)
    p.add_argument("--points", type=int, default=5, help="random points to check (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--range", default="-1,1", help="sample each input uniformly in lo,hi (default -1,1)")
    p.add_argument("--tol", type=float, default=1e-6, help="largest relative error allowed (default 1e-6)")
    p.add_argument("--sizes", help="array programs: the named sizes to check at, e.g. n=5,d=3 (default 3 each)")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("graph", help="draw the staged graph (DOT, SVG or PNG)", epilog=epilog)
    common(p)
    p.add_argument("--at", help="label edges with values and gradients at this point, e.g. x=3,y=-4")
    p.add_argument("-o", "--output", help="write to FILE.svg, FILE.png (needs Graphviz) or FILE.dot; "
                                          "without it, print DOT")
    p.add_argument("--local", action="store_true", help="also label edges with local gradients")
    p.add_argument("--max-stages", type=int, default=200, help="collapse all but this many stages (default 200)")
    p.set_defaults(run=cmd_graph)

    p = sub.add_parser("functions", help="list the functions a formula can call, from the rules table")
    p.add_argument("--markdown", action="store_true", help="print the table of every primitive and its derivatives")
    p.set_defaults(run=cmd_functions)

    p = sub.add_parser("cache", help="where the cache of emitted modules is, its size, and clearing it")
    p.add_argument("action", choices=("path", "size", "clear"), help="print the path, print the size, or clear it")
    p.add_argument("--older-than", metavar="DURATION", help="clear: only modules not used for this long "
                                                            "(e.g. 30m, 12h, 7d)")
    p.add_argument("--cache-dir", metavar="DIR", help="this cache directory instead of $BPC_CACHE_DIR or the default")
    p.set_defaults(run=cmd_cache)

    p = sub.add_parser("explain", help="walk through the backward pass line by line", epilog=epilog)
    common(p)
    p.add_argument("--at", required=True, help="the point, e.g. x=3,y=-4 (arrays as JSON lists)")
    p.set_defaults(run=cmd_explain)
    return parser


def _glue_values(argv: list[str]) -> list[str]:
    """``--range -2,-1``: argparse takes a value that starts with '-' for an option; join it as
    ``--range=-2,-1``, which it reads as a value."""
    out, k = [], 0
    while k < len(argv):
        if argv[k] in ("--range", "--at") and k + 1 < len(argv) and argv[k + 1].startswith("-") \
                and argv[k + 1][1:2].isdigit():
            out.append(f"{argv[k]}={argv[k + 1]}")
            k += 2
            continue
        out.append(argv[k])
        k += 1
    return out


def main(argv=None) -> int:
    args = build_parser().parse_args(_glue_values(list(sys.argv[1:] if argv is None else argv)))
    handler = None
    if not getattr(args, "quiet", True):
        handler = Progress()
        logger = logging.getLogger("bpc")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        return args.run(args)
    except BpcError as err:
        if handler is not None:
            handler.close()
        print(f"bpc: error: {err}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError):
        print("bpc: error: input too large or too deeply nested", file=sys.stderr)
        return 2
    finally:
        if handler is not None:
            logging.getLogger("bpc").removeHandler(handler)
            handler.close()


if __name__ == "__main__":
    sys.exit(main())
