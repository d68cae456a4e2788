"""The ``bpc`` command: compile, eval and check formulas."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

from .errors import BpcError



def _epilog() -> str:
    import textwrap

    from .rules import FUNCTIONS

    names = " ".join(sorted(FUNCTIONS))
    return textwrap.fill("SOURCE is a formula string, a path to a file holding one (or a staged program), or - for "
                         f"stdin. Functions: {names}; constant pi; operators + - * / ** (or ^), and @ and .T in array "
                         "programs. 'bpc functions --markdown' prints every derivative.", 79)


def _read_source(arg: str) -> str:
    from .frontend.limits import Limits

    limit = Limits().max_chars
    if arg == "-":
        text = sys.stdin.read(limit + 1)
    elif os.path.isfile(arg):
        with open(arg, encoding="utf-8") as handle:
            text = handle.read(limit + 1)
    else:
        return arg
    if len(text) > limit:
        raise BpcError(f"source is more than {limit} characters")
    return text


def _parse_at(text: str) -> dict:
    values = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BpcError(f"--at expects name=value pairs separated by commas, got {item!r}")
        try:
            values[name] = float(value)
        except ValueError:
            raise BpcError(f"--at: {value.strip()!r} is not a number (for {name!r})") from None
    return values


def _number(v: float):
    """JSON has no inf or nan: those are written as the strings "inf", "-inf", "nan"."""
    v = float(v)
    return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def _evaluate(g, point: dict) -> dict:
    unknown = [n for n in point if n not in g.inputs]
    if unknown:
        raise BpcError(f"unknown input {unknown[0]!r}", hint=f"inputs are: {', '.join(g.inputs)}")
    missing = [n for n in g.inputs if n not in point]
    if missing:
        raise BpcError(f"no value given for input {missing[0]!r}", hint=f"inputs are: {', '.join(g.inputs)}")
    value, grads = g(**point)
    return {"value": _number(value), "grad": {n: _number(d) for n, d in zip(g.wrt, grads)}}


def _compile(args):
    from .runtime import compile

    return compile(_read_source(args.source), wrt=args.wrt, target=args.target)


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


def cmd_compile(args) -> int:
    from .runtime import compile, generate

    shapes = _shapes(args)
    if args.memory is not None:
        if shapes is None:
            raise BpcError("--memory is for matrix programs: give --shapes too")
        sizes = {k: int(v) for k, v in _parse_at(args.memory).items()}
        g = compile(_read_source(args.source), wrt=args.wrt, target=args.target, shapes=shapes)
        print(g.memory(**sizes))
        return 0
    if shapes is not None:
        text, _ = generate(_read_source(args.source), wrt=args.wrt, target=args.target, shapes=shapes)
    elif args.ptx is not None:
        if args.target != "cuda":
            raise BpcError("--ptx needs --target cuda")
        try:
            cc = tuple(int(part) for part in args.ptx.split("."))
        except ValueError:
            cc = ()
        if len(cc) != 2:
            raise BpcError(f"--ptx takes a compute capability like 9.0, got {args.ptx!r}")
        text = _compile(args).ptx(cc)
    else:
        text, _ = generate(_read_source(args.source), wrt=args.wrt, target=args.target)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_eval(args) -> int:
    if (args.at is None) == (args.points is None):
        raise BpcError("give exactly one of --at name=value,... or --points FILE.json")
    g = _compile(args)
    if args.at is not None:
        results = _evaluate(g, _parse_at(args.at))
    else:
        try:
            with open(args.points, encoding="utf-8") as handle:
                points = json.load(handle)
        except (OSError, ValueError) as err:
            raise BpcError(f"cannot read points from {args.points}: {err}") from None
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise BpcError("--points file must hold a JSON list of {name: value} objects")
        try:
            results = [_evaluate(g, {k: float(v) for k, v in p.items()}) for p in points]
        except (TypeError, ValueError) as err:
            raise BpcError(f"--points: {err}") from None
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        for r in results if isinstance(results, list) else [results]:
            print(f"value = {r['value']!r}")
            for name, d in r["grad"].items():
                print(f"d/d{name} = {d!r}")
    return 0


def cmd_check(args) -> int:
    from .check import gradient_check

    try:
        low, high = (float(v) for v in args.range.split(","))
    except ValueError:
        raise BpcError(f"--range expects lo,hi, got {args.range!r}") from None
    g = _compile(args)
    result = gradient_check(g, points=args.points, seed=args.seed, low=low, high=high, tol=args.tol)
    if not result.rows:
        raise BpcError(f"no point in [{low}, {high}] gave a finite value and gradient",
                       hint="choose another --range")
    print(result.table())
    return 0 if result.ok else 1


def cmd_functions(args) -> int:
    from . import reference

    sys.stdout.write(reference.markdown() if args.markdown else reference.names_line() + "\n")
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
    point = _parse_at(text)
    _evaluate(g, point)        # same checks and messages as eval
    return point


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    epilog = _epilog()
    parser = argparse.ArgumentParser(prog="bpc", description="Compile formulas to staged backprop code.",
                                     epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"bpc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("source", metavar="SOURCE", help="formula, file path, or - for stdin")
        p.add_argument("--target", default="python", choices=("python", "numpy", "numba", "cuda"))
        p.add_argument("--wrt", default=None, help="comma-separated inputs to differentiate (default: all)")

    p = sub.add_parser("compile", help="print or write the emitted module", epilog=epilog)
    common(p)
    p.add_argument("-o", "--output", help="write the module to this file")
    p.add_argument("--shapes", help='a matrix program: input shapes as JSON, e.g. \'{"W": ["h", "d"], "x": ["d", "n"]}\'')
    p.add_argument("--memory", metavar="SIZES", help="with --shapes: print the memory report for sizes, e.g. n=256,d=784")
    p.add_argument("--ptx", metavar="CC", help="with --target cuda: print the kernel's PTX for compute capability "
                                               "CC (e.g. 9.0) instead; needs numba-cuda[cu12], not a GPU")
    p.set_defaults(run=cmd_compile)

    p = sub.add_parser("eval", help="value and gradient at one point or many", epilog=epilog)
    common(p)
    p.add_argument("--at", help="the point, e.g. x=3,y=-4")
    p.add_argument("--points", help="JSON file: a list of {name: value} objects")
    p.add_argument("--json", action="store_true", help='print {"value": v, "grad": {...}}')
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("check", help="compare the gradient with finite differences", epilog=epilog)
    common(p)
    p.add_argument("--points", type=int, default=5, help="random points to check (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--range", default="-1,1", help="sample each input uniformly in lo,hi (default -1,1)")
    p.add_argument("--tol", type=float, default=1e-6, help="largest relative error allowed (default 1e-6)")
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

    p = sub.add_parser("explain", help="walk through the backward pass line by line", epilog=epilog)
    common(p)
    p.add_argument("--at", required=True, help="the point, e.g. x=3,y=-4")
    p.set_defaults(run=cmd_explain)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BpcError as err:
        print(f"bpc: error: {err}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError):
        print("bpc: error: input too large or too deeply nested", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
