"""Numba intrinsics that the vector math functions are built from.

Each one lowers to a single LLVM instruction or LLVM intrinsic with no control flow, so that a
loop body made of them stays one basic block and LLVM's loop vectoriser can widen it:

* ``fma(a, b, c)``: ``llvm.fma`` (one rounding; a ``vfmadd`` instruction on x86 with FMA).
* ``select(c, a, b)``: the ``select`` instruction (``a if c else b`` without a branch; both a
  and b are computed). Floats of one type, or integers (the result has the wider type).
* ``div(a, b)``: a bare ``fdiv``. Numba's ``/`` tests the divisor for zero first (a branch, and
  a ZeroDivisionError under the default error model); IEEE division by zero is what we want.
* ``rint``, ``trunc``, ``floor``, ``fabs``, ``copysign``, ``sqrt``: the LLVM intrinsics of the
  same names (``rint`` rounds to nearest even in the default rounding mode).
* ``f2i(x)`` / ``i2f64(i)`` / ``i2f32(i)``: bit casts between a float and the integer of the
  same width (int64 for float64, int32 for float32); ``i2f*`` first truncates or sign-extends
  its integer argument to that width, because Numba widens int32 arithmetic to int64.
* ``toi32(x)``: ``fptosi`` to int32 (callers make sure x is finite and in range).

All are typed for float32 and float64 (and the matching integers) and work in CPU ``@njit``
code. On the CUDA target (numba-cuda), whose NVVM accepts ``llvm.fma`` and ``llvm.floor`` but not
``llvm.rint``, ``llvm.trunc``, ``llvm.fabs`` or ``llvm.copysign``, those become calls to the
libdevice functions of the same meaning (``__nv_rint`` ...).
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_FLOATS = (types.float32, types.float64)


def _llvm_float(ty):
    return ir.DoubleType() if ty == types.float64 else ir.FloatType()


def _is_cuda(context):
    return type(context).__name__.startswith("CUDA")


# NVVM accepts only some LLVM intrinsics (llvm.fma and llvm.floor but not llvm.rint, llvm.trunc,
# llvm.fabs, llvm.copysign, ...): on the CUDA target the others become libdevice calls.
_LIBDEVICE = {"llvm.rint": "__nv_rint", "llvm.trunc": "__nv_trunc", "llvm.fabs": "__nv_fabs",
              "llvm.copysign": "__nv_copysign", "llvm.sqrt": "__nv_sqrt"}


def _call_intrinsic(builder, name, ty, args, context=None):
    fnty = ir.FunctionType(ty, [ty] * len(args))
    if context is not None and _is_cuda(context) and name in _LIBDEVICE:
        fname = _LIBDEVICE[name] + ("f" if ty == ir.FloatType() else "")
        fn = builder.module.globals.get(fname)
        if fn is None:
            fn = ir.Function(builder.module, fnty, fname)
        return builder.call(fn, args)
    fn = builder.module.declare_intrinsic(name, [ty], fnty)
    return builder.call(fn, args)


@intrinsic
def fma(typingctx, a, b, c):
    if a in _FLOATS and a == b == c:
        def codegen(context, builder, sig, args):
            return _call_intrinsic(builder, "llvm.fma", args[0].type, args)
        return a(a, b, c), codegen
    return None


@intrinsic
def select(typingctx, c, a, b):
    a, b = types.unliteral(a), types.unliteral(b)
    if not isinstance(c, types.Boolean):
        return None
    if a == b and isinstance(a, types.Float):
        rt = a
    elif isinstance(a, types.Integer) and isinstance(b, types.Integer):
        rt = a if a.bitwidth >= b.bitwidth else b      # integers: the wider of the two
    else:
        return None

    def codegen(context, builder, sig, args):
        cond = args[0]
        if cond.type != ir.IntType(1):
            cond = builder.trunc(cond, ir.IntType(1))
        x = context.cast(builder, args[1], sig.args[1], rt)
        y = context.cast(builder, args[2], sig.args[2], rt)
        return builder.select(cond, x, y)
    return rt(c, a, b), codegen


@intrinsic
def div(typingctx, a, b):
    if a in _FLOATS and a == b:
        def codegen(context, builder, sig, args):
            return builder.fdiv(args[0], args[1])
        return a(a, b), codegen
    return None


def _unary(name):
    def impl(typingctx, x):
        if x in _FLOATS:
            def codegen(context, builder, sig, args):
                return _call_intrinsic(builder, name, args[0].type, args, context)
            return x(x), codegen
        return None
    impl.__name__ = name.split(".")[-1]
    return intrinsic(impl)


rint = _unary("llvm.rint")
trunc = _unary("llvm.trunc")
floor = _unary("llvm.floor")
fabs = _unary("llvm.fabs")
sqrt = _unary("llvm.sqrt")


@intrinsic
def copysign(typingctx, a, b):
    if a in _FLOATS and a == b:
        def codegen(context, builder, sig, args):
            return _call_intrinsic(builder, "llvm.copysign", args[0].type, args, context)
        return a(a, b), codegen
    return None


@intrinsic
def f2i(typingctx, x):
    """The bits of a float as a signed integer of the same width."""
    if x in _FLOATS:
        ity = types.int64 if x == types.float64 else types.int32

        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.IntType(ity.bitwidth))
        return ity(x), codegen
    return None


def _make_i2f(fty):
    width = fty.bitwidth

    def impl(typingctx, i):
        if isinstance(i, types.Integer):
            def codegen(context, builder, sig, args):
                v = args[0]
                target = ir.IntType(width)
                if v.type.width > width:
                    v = builder.trunc(v, target)
                elif v.type.width < width:
                    v = builder.sext(v, target) if i.signed else builder.zext(v, target)
                return builder.bitcast(v, _llvm_float(fty))
            return fty(i), codegen
        return None
    impl.__name__ = "i2f%d" % width
    return intrinsic(impl)


i2f64 = _make_i2f(types.float64)
i2f32 = _make_i2f(types.float32)


@intrinsic
def toi32(typingctx, x):
    """fptosi to int32: the caller keeps x finite and inside the int32 range."""
    if x in _FLOATS:
        def codegen(context, builder, sig, args):
            return builder.fptosi(args[0], ir.IntType(32))
        return types.int32(x), codegen
    return None
