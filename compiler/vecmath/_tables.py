"""Tables for the Payne-Hanek style argument reduction of sin and cos.

For an argument a = m * 2**E (m an integer of p bits, p = 53 or 24) the bits of 2/pi whose
products with a are multiples of 4 (a whole number of turns) do not matter for a * 2/pi mod 4.
The reduction therefore multiplies a by four consecutive p-bit windows of the binary expansion
of 2/pi that start just below that point: window j holds the bits of weight
2**(1 - E - j*p) down to 2**(2 - E - (j+1)*p). This is the idea of Payne and Hanek (1983) and of
SLEEF's rempi/Sleef_rempitabdp (src/libm/sleefsimddp.c); the table here is not SLEEF's: the
windows are aligned on fixed bit positions and computed below from TWO_OVER_PI_HEX with exact
integer arithmetic, and rows for large exponents are scaled so that every entry is a normal float
(the argument is scaled down by the same power of two before the products).

Row i of a table (a flat array, four entries per row) belongs to the arguments whose exponent
ilogb(a) equals LMIN + i (smaller exponents use row 0). For ilogb(a) > KMAX the argument is first
multiplied by 2**(KMAX - ilogb(a)) (an exact exponent change) and row i is multiplied by the
inverse power, so that the products are unchanged.

TWO_OVER_PI_HEX is floor(2/pi * 2**1344) in hexadecimal, computed with mpmath at 1500 bits
(``mpmath.mp.prec = 1500; int(mpmath.floor(2 / mpmath.pi * 2**1344))``); tests/test_vecmath.py
recomputes it.
"""

import math

import numpy as np

TWO_OVER_PI_HEX = (
    "a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebbc561"
    "b7246e3a424dd2e006492eea09d1921cfe1deb1cb129a73ee88235f52ebb4484"
    "e99c7026b45f7e413991d639835339f49c845f8bbdf9283b1ff897ffde05980f"
    "ef2f118b5a0a6d1f6d367ecf27cb09b74f463f669e5fea2d7527bac7ebe5f17b"
    "3d0739f78a5292ea6bfb5fb11f8d5d0856033046fc7b6babf0cfbc209af4361d"
    "a9e391615ee61b08"
)
TWO_OVER_PI_BITS = 1344
_C = int(TWO_OVER_PI_HEX, 16)


def _window(top, width):
    """The bits of 2/pi of weight 2**top down to 2**(top - width + 1), as (integer, exponent)."""
    low = top - width + 1
    shift = TWO_OVER_PI_BITS + low
    assert shift >= 0, "TWO_OVER_PI_HEX is too short"
    return (_C >> shift) & ((1 << width) - 1), low


def _build(p, lmin, lmax, kmax, dtype):
    rows = []
    for L in range(lmin, lmax + 1):
        E = L - (p - 1)
        scale = max(L - kmax, 0)
        row = []
        for j in range(4):
            n, low = _window(1 - E - j * p, p)
            value = math.ldexp(n, low + scale)
            assert value == 0 or (np.finfo(dtype).tiny <= value < np.finfo(dtype).max)
            assert float(dtype(value)) == value and int(math.ldexp(value, -(low + scale))) == n
            row.append(value)
        rows.append(row)
    return np.array(rows, dtype=dtype).ravel()


# float64: p = 53, exponents 52 .. 1023, arguments above 2**800 scaled down to 2**800.
F64_LMIN, F64_LMAX, F64_KMAX = 52, 1023, 800
PIO2_TABLE_F64 = _build(53, F64_LMIN, F64_LMAX, F64_KMAX, np.float64)

# float32: p = 24, exponents 23 .. 127, arguments above 2**40 scaled down to 2**40.
F32_LMIN, F32_LMAX, F32_KMAX = 23, 127, 40
PIO2_TABLE_F32 = _build(24, F32_LMIN, F32_LMAX, F32_KMAX, np.float32)
