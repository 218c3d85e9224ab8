/* The helpers of sim/core/submodels/behaviour.py (it has no phase of its own). */
#ifndef BEHAVIOUR_H
#define BEHAVIOUR_H
#include "common.h"

/* behaviour.payoff_target */
static inline double payoff_target(double sensitivity, double incentive, double current) {
    return clamp(current - sensitivity * incentive, 0.0, 1.0);
}

/* behaviour.type_target */
static inline double type_target(int64_t kind, double belief, double own, double weight,
                                 double unconditional) {
    double social;
    if (kind == FREE_RIDER) {
        return own;
    }
    if (kind == CONDITIONAL) {
        social = belief;
    } else if (kind == HUMP) {
        social = mn(belief, 1.0 - belief);
    } else {
        social = unconditional;
    }
    return weight * social + (1.0 - weight) * own;
}

/* behaviour.type_system_weight */
static inline double type_system_weight(int64_t kind, double weight) {
    return kind == FREE_RIDER ? 0.0 : weight;
}

/* behaviour.partner_belief */
static inline double partner_belief(const double *p, const double *trust, int64_t start,
                                    int64_t end, double eligible) {
    int64_t n = end - start;
    if (n <= 0) {
        return 1.0;
    }
    double total = 0.0;
    for (int64_t e = start; e < end; e++) {
        total += trust[e];
    }
    double belief = total / (double)n; /* int divisor: true division */
    return belief + p[P_partner_talk] * eligible * (1.0 - belief);
}

/* behaviour.gate_cooperation */
static inline void gate_cooperation(World *w, const double *p, int64_t lo, int64_t hi) {
    double *cooperation = w->cooperation;
    double *kept = w->kept;
    double *trust = w->trust;
    int64_t *edge_start = w->edge_start;
    int64_t *edge_end = w->edge_end;
    double *org_member = w->org_member;
    double *org_eligible = w->org_eligible;
    double gate = p[P_trust_gate];
    double join = p[P_join_trust];
    for (int64_t i = lo; i < hi; i++) {
        double belief = partner_belief(p, trust, edge_start[i], edge_end[i], org_eligible[i]);
        kept[i] = cooperation[i] * (1.0 - gate * (1.0 - belief));
        double joined = join <= 0.0 ? 1.0 : mn(1.0, belief / join);
        org_member[i] = org_eligible[i] * joined;
    }
}

/* behaviour.legitimacy */
static inline double legitimacy(const double *p, const double *r) {
    return mn(1.0, r[R_collective_choice] + p[P_public_legitimacy] * r[R_public_involvement]);
}
#endif
