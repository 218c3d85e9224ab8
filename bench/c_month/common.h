/* sim/core/submodels/common.py and what every translated file shares: Python's (and numba's) min,
   max, floor modulo and float modulo, the model's clamp and monthly need growth, and the
   counter-based random numbers of sim/core/rng.py. */
#ifndef COMMON_H
#define COMMON_H
#include <math.h>
#include <stdint.h>
#include "world.h"

/* numba's min(a, b) is `b < a ? b : a`, its max `b > a ? b : a` (Python's algorithm: the first of
   equals wins), which matters for signed zeros. numba emits one instruction for each (vminsd,
   vmaxsd: `dest < src ? dest : src`, the same choice); gcc compiles some of them to branches
   unless asked for the instruction (MINMAX_INSTRUCTIONS, a variant of the build). */
#ifdef MINMAX_INSTRUCTIONS
#include <immintrin.h>
static inline double mn(double a, double b) {
    return _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(b), _mm_set_sd(a)));
}
static inline double mx(double a, double b) {
    return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(b), _mm_set_sd(a)));
}
#else
static inline double mn(double a, double b) { return b < a ? b : a; }
static inline double mx(double a, double b) { return b > a ? b : a; }
#endif
static inline int64_t mni(int64_t a, int64_t b) { return b < a ? b : a; }
static inline int64_t mxi(int64_t a, int64_t b) { return b > a ? b : a; }

/* sim.core.submodels.common.clamp: min(high, max(low, x)). */
static inline double clamp(double x, double low, double high) { return mn(high, mx(low, x)); }

/* sim.core.submodels.common.monthly_need_growth */
static inline double monthly_need_growth(const double *p) {
    return (p[P_need_growth] + p[P_ageing]) / MONTHS_PER_YEAR;
}

/* Python's floor modulo of int64s, `a % b` (C's % truncates toward zero). */
static inline int64_t floor_mod(int64_t a, int64_t b) {
    int64_t m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) {
        m += b;
    }
    return m;
}

/* Python's float `a % b` (numba's too): the remainder takes the divisor's sign. */
static inline double py_fmod(double a, double b) {
    double m = fmod(a, b);
    if (m != 0.0) {
        if ((b < 0.0) != (m < 0.0)) m += b;
    } else {
        m = copysign(0.0, b);
    }
    return m;
}

/* sim.core.rng: a SplitMix64 hash chain of the key. */
static inline uint64_t rng_mix(uint64_t z) {
    z = z + GOLDEN;
    z = (z ^ (z >> S30)) * M1;
    z = (z ^ (z >> S27)) * M2;
    return z ^ (z >> S31);
}

static inline double uniform(int64_t seed, int64_t run, int64_t step, int64_t agent,
                             int64_t purpose) {
    uint64_t h = rng_mix((uint64_t)seed);
    h = rng_mix(h ^ (uint64_t)run);
    h = rng_mix(h ^ (uint64_t)(step + 1));
    h = rng_mix(h ^ (uint64_t)(agent + 1));
    h = rng_mix(h ^ (uint64_t)purpose);
    return (double)(h >> S11) * TO_UNIT;
}
#endif
