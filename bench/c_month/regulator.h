/* The helpers of sim/core/submodels/regulator.py (its phases are in regulator.c). */
#ifndef REGULATOR_H
#define REGULATOR_H
#include "common.h"

/* regulator.sanction_level */
static inline double sanction_level(double graduated, double record, double escalation) {
    if (graduated > 0.0) {
        return clamp((record - 1.0) / GRADUATION_STEPS, 0.0, escalation);
    }
    return 1.0;
}

/* regulator.open_books_cover */
static inline double open_books_cover(const double *p, const double *r) {
    return 1.0 - (1.0 - p[P_unbounded_cover]) * (1.0 - r[R_scope]);
}

/* regulator.detection_rate */
static inline double detection_rate(const double *p, const double *r) {
    double team = 1.0 + p[P_team_detection_gain] * r[R_dedicated_team];
    return mn(1.0, r[R_monitoring] * open_books_cover(p, r) * team);
}

/* regulator.visibility */
static inline double visibility(const double *p, const double *r) {
    double base = p[P_breach_visibility];
    double books = r[R_monitoring] * open_books_cover(p, r);
    return base + (1.0 - base) * mx(books, p[P_place_data_sight] * r[R_scope]);
}

/* regulator.control_total_chance */
static inline double control_total_chance(const double *p, const double *r) {
    if (r[R_sanction_severity] <= 0.0) {
        return 0.0;
    }
    return p[P_control_total_detection];
}

/* regulator.outside */
static inline double outside(double agreed, double eligible) {
    return 1.0 - agreed * eligible;
}

/* regulator.recovery_pressure */
static inline double recovery_pressure(const double *p, double balance, double income_ref) {
    if (balance >= 0.0) {
        return 0.0;
    }
    double limit = p[P_failure_threshold] * MONTHS_PER_YEAR * income_ref;
    if (limit <= 0.0 || -balance >= limit) {
        return 1.0;
    }
    return -balance / limit;
}

/* regulator.override_reach */
static inline double override_reach(double segment, double autonomy) {
    if (segment >= SPECIAL_MEASURES) {
        return 1.0;
    }
    if (segment >= MANDATED_SUPPORT) {
        return 1.0 - autonomy;
    }
    return 0.0;
}

/* regulator.segment_for */
static inline double segment_for(double concern, double entry, double current) {
    if (concern >= entry || (current >= SPECIAL_MEASURES && concern >= SEGMENT_3_START * entry)) {
        return SPECIAL_MEASURES;
    }
    if (concern >= SEGMENT_3_START * entry) {
        return MANDATED_SUPPORT;
    }
    if (concern >= SEGMENT_2_START * entry) {
        return 2.0;
    }
    return 1.0;
}

/* regulator.access_concern */
static inline double access_concern(double waiting, double treated, double wait_limit) {
    if (waiting <= 0.0) {
        return 0.0;
    }
    if (treated <= 0.0) {
        return 1.0;
    }
    return mn(1.0, waiting / treated / wait_limit);
}

/* regulator.overclaimed: the Python returns the pair (care, skimped). */
static inline void overclaimed(const double *claim, const double *coop_claim,
                               const double *agreed_prevention, const double *prevention,
                               int64_t c, double *care, double *skimped) {
    *care = mx(0.0, claim[c] - coop_claim[c]);
    *skimped = mx(0.0, agreed_prevention[c] - prevention[c]);
}
#endif
