/* The helpers of sim/core/submodels/place.py (its phases are in commissioner.c). */
#ifndef PLACE_H
#define PLACE_H
#include "common.h"

/* math.pi, exactly (M_PI is not in strict C11). */
static const double PI_ = 0x1.921fb54442d18p+1;

/* place.season */
static inline double season(const double *p, int64_t step) {
    int64_t month = floor_mod(step - 1 + FIRST_MONTH - 1, 12) + 1;
    double angle = 2.0 * PI_ * (double)(month - PEAK_MONTH) / MONTHS_PER_YEAR;
    return 1.0 + p[P_winter_amplitude] * cos(angle);
}

/* place.prevention_gain */
static inline double prevention_gain(double effect, double saturation, double x) {
    return effect * saturation * (1.0 - exp(-x / saturation));
}

/* place.covered_need */
static inline double covered_need(const double *need, const double *providers, int64_t q) {
    double total = 0.0;
    for (int64_t k = 0; k < N_LINES; k++) {
        if (providers[q * N_LINES + k] > 0.0) {
            total += need[q * N_LINES + k];
        }
    }
    return total;
}

/* place.contract_need */
static inline double contract_need(const double *need, const double *providers, double size,
                                   int64_t q, int64_t kind) {
    return need[q * N_LINES + kind] / providers[q * N_LINES + kind] * size;
}

/* place.share_of */
static inline double share_of(double faced, double total) {
    return total > 0.0 ? faced / total : 0.0;
}

/* place.need_choice: returns (by members, by all) through two pointers. */
static inline void need_choice(const double *p, const double *r, double *by_members,
                               double *by_all) {
    double choice = r[R_collective_choice];
    double agreed = r[R_agreed_shares];
    *by_members = choice * agreed;
    *by_all = choice * p[P_open_choice] * (1.0 - agreed);
}

/* place.share_in_force */
static inline double share_in_force(double base, double faced, double covered, double choose) {
    double share = base;
    if (choose > 0.0) {
        share += choose * (share_of(faced, covered) - share);
    }
    return share;
}

/* place.trend_need */
static inline double trend_need(const double *need_base, int64_t q) {
    double total = 0.0;
    for (int64_t k = 0; k < N_LINES; k++) {
        total += need_base[q * N_LINES + k];
    }
    return total;
}
#endif
