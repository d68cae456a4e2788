"""The polynomial fits of compiler.vecmath that are not SLEEF's, recomputed with mpmath.

    python -m compiler.vecmath.fits

prints the coefficients that f32.py uses (they are copied there by hand, with the printed
error). mpmath is needed only here, not by the functions.

erfc, float32, 1 <= x < 2.2: SLEEF's xerfcf_u15 fits log(erfc x) / x by a degree-7 polynomial in
x itself; rounding its degree-3 and degree-4 coefficients to float32 costs up to half an ulp near
x = 2.2 (measured max 1.12 ulp). Here the same function is fitted in v = x - 1.5 (exact in float32
for these x), |v| <= 0.7, so that the rounding of the higher coefficients is damped by powers of
v; Chebyshev fit (mpmath.chebyfit, near-minimax) of degree 7 on v in [-0.5, 0.7].
"""


def erfc_f32_middle(degree=7):
    import mpmath

    mpmath.mp.prec = 200

    def g(v):
        x = v + mpmath.mpf(1.5)
        return mpmath.log(mpmath.erfc(x)) / x

    poly, err = mpmath.chebyfit(g, [-0.5, 0.7], degree + 1, error=True)
    coeffs = [float(c) for c in poly[::-1]]           # c0 + c1 v + ... + c7 v**7
    # the result is exp(x P(v)): its relative error is x * err <= 2.2 err
    return coeffs, float(err), float(mpmath.log(err * 2.2, 2))


def main():
    coeffs, err, log2rel = erfc_f32_middle()
    print("erfc float32, 1 <= x < 2.2, P(v), v = x - 1.5, coefficients c0..c7:")
    for i, c in enumerate(coeffs):
        print(f"  c{i} = {c!r}")
    print(f"  max |P - log(erfc x)/x| = {err:.3e}; relative error of erfc <= 2**{log2rel:.1f}")


if __name__ == "__main__":
    main()
