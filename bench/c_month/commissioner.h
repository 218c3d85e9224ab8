/* The helpers of sim/core/submodels/commissioner.py (its phases are in commissioner.c). */
#ifndef COMMISSIONER_H
#define COMMISSIONER_H
#include <stdbool.h>
#include "common.h"

/* commissioner.planned */
static inline double planned(const double *r, double eligible) {
    return r[R_agreed_shares] * (1.0 - eligible);
}

/* commissioner.protected_ratios: the returned pair through two out-parameters. */
static inline void protected_ratios(double budget, double claims, double prevention, double public_,
                                    double *ratio_out, double *prevention_ratio_out) {
    double requested = claims + prevention;
    if (requested <= budget || requested <= 0.0) {
        *ratio_out = 1.0;
        *prevention_ratio_out = 1.0;
        return;
    }
    double protected_ = public_ * prevention;
    double first = mn(budget, protected_);
    double rest = requested - protected_;
    double ratio = rest > 0.0 ? (budget - first) / rest : 0.0;
    double paid_first = protected_ > 0.0 ? first / protected_ : 0.0;
    *ratio_out = ratio;
    *prevention_ratio_out = public_ * paid_first + (1.0 - public_) * ratio;
}

/* commissioner._pay_by_activity */
static inline void pay_by_activity(World *w, const double *p, const double *r, int64_t lo,
                                   int64_t hi) {
    int64_t *place_con = w->place_con;
    int64_t *con_kind = w->con_kind;
    double *claim = w->claim;
    double *prevention = w->prevention;
    double *payment = w->payment;
    double *need = w->need;
    double *pay_ratio = w->pay_ratio;
    double *paid = w->paid;
    int64_t *place_con_start = w->place_con_start;
    int64_t *place_con_end = w->place_con_end;
    double *spill = w->spill;
    double *available = w->available;
    int64_t *con_org = w->con_org;
    double *org_eligible = w->org_eligible;
    double *agreed = w->agreed;
    double tariff = 1.0 + p[P_tariff_margin];
    double marginal = p[P_emergency_marginal_rate];
    double plan_rate = p[P_plan_marginal_rate];
    double public_ = r[R_public_involvement];
    for (int64_t q = lo; q < hi; q++) {
        int64_t start = place_con_start[q], end = place_con_end[q];
        double acute_need = need[q * N_LINES + ACUTE];
        double emergency = acute_need > 0.0 ? spill[q] / acute_need : 0.0;
        emergency = mn(1.0, emergency);
        double total = 0.0;
        double blocks = 0.0;
        double prevented = 0.0;
        for (int64_t idx = start; idx < end; idx++) {
            int64_t c = place_con[idx];
            if (con_kind[c] == ACUTE) {
                double within = claim[c];
                double over = planned(r, org_eligible[con_org[c]]) * mx(0.0, within - agreed[c]);
                if (over > 0.0) {
                    within -= over;
                }
                double scheduled = within * (1.0 - emergency);
                double urgent = within * emergency;
                payment[c] = tariff * scheduled + tariff * marginal * urgent;
                if (over > 0.0) {
                    double full =
                        tariff * over * (1.0 - emergency) + tariff * marginal * over * emergency;
                    payment[c] += plan_rate * full;
                }
                total += payment[c];
            } else {
                blocks += claim[c];
                prevented += prevention[c];
            }
        }
        double remaining = mx(0.0, available[q] - total);
        double ratio, prevention_ratio;
        protected_ratios(remaining, blocks, prevented, public_, &ratio, &prevention_ratio);
        for (int64_t idx = start; idx < end; idx++) {
            int64_t c = place_con[idx];
            if (con_kind[c] != ACUTE) {
                payment[c] = claim[c] * ratio + prevention[c] * prevention_ratio;
                total += payment[c];
            }
        }
        pay_ratio[q] = ratio;
        paid[q] = total;
    }
}

/* commissioner._pay_blocks */
static inline void pay_blocks(World *w, const double *p, const double *r, int64_t lo, int64_t hi) {
    (void)p;
    (void)r;
    int64_t *place_con = w->place_con;
    double *payment = w->payment;
    double *available = w->available;
    double *pay_ratio = w->pay_ratio;
    double *paid = w->paid;
    int64_t *place_con_start = w->place_con_start;
    int64_t *place_con_end = w->place_con_end;
    double *con_base_share = w->con_base_share;
    double *agreed_prevention = w->agreed_prevention;
    double *chosen_slice = w->chosen_slice;
    for (int64_t q = lo; q < hi; q++) {
        double budget = available[q];
        double slice_ = chosen_slice[q];
        double total = 0.0;
        for (int64_t idx = place_con_start[q]; idx < place_con_end[q]; idx++) {
            int64_t c = place_con[idx];
            payment[c] = con_base_share[c] * (1.0 - slice_) * budget + agreed_prevention[c];
            total += payment[c];
        }
        pay_ratio[q] = 0.0;
        paid[q] = total;
    }
}

/* commissioner._pay_pooled */
static inline void pay_pooled(World *w, const double *p, const double *r, int64_t lo, int64_t hi,
                              bool alliance) {
    int64_t *place_con = w->place_con;
    double *claim = w->claim;
    double *prevention = w->prevention;
    double *payment = w->payment;
    double *available = w->available;
    double *pay_ratio = w->pay_ratio;
    double *paid = w->paid;
    int64_t *place_con_start = w->place_con_start;
    int64_t *place_con_end = w->place_con_end;
    double *con_base_share = w->con_base_share;
    double public_ = r[R_public_involvement];
    double gain_share = p[P_alliance_gain_share];
    for (int64_t q = lo; q < hi; q++) {
        int64_t start = place_con_start[q], end = place_con_end[q];
        double budget = mx(0.0, available[q]);
        double claims = 0.0;
        double prevented = 0.0;
        for (int64_t idx = start; idx < end; idx++) {
            int64_t c = place_con[idx];
            claims += claim[c];
            prevented += prevention[c];
        }
        double ratio, prevention_ratio;
        protected_ratios(budget, claims, prevented, public_, &ratio, &prevention_ratio);
        double total = 0.0;
        for (int64_t idx = start; idx < end; idx++) {
            int64_t c = place_con[idx];
            payment[c] = claim[c] * ratio + prevention[c] * prevention_ratio;
            total += payment[c];
        }
        if (alliance) {
            double surplus = budget - total;
            if (surplus > 0.0) {
                for (int64_t idx = start; idx < end; idx++) {
                    int64_t c = place_con[idx];
                    double bonus = gain_share * surplus * con_base_share[c];
                    payment[c] += bonus;
                    total += bonus;
                }
            }
        }
        pay_ratio[q] = ratio;
        paid[q] = total;
    }
}

/* commissioner.transaction_rate */
static inline double transaction_rate(const double *p, int64_t f) {
    if (f == ACTIVITY) {
        return p[P_transaction_activity];
    }
    if (f == BLOCK) {
        return p[P_transaction_block];
    }
    if (f == ALLIANCE) {
        return p[P_transaction_alliance];
    }
    return p[P_transaction_capitated];
}

/* commissioner.governance_rate: summed left to right, as Python does. */
static inline double governance_rate(const double *p, const double *r) {
    return p[P_cost_shared_vision] * r[R_shared_vision]
           + p[P_cost_collective_choice] * r[R_collective_choice]
           + p[P_cost_public] * r[R_public_involvement]
           + p[P_cost_monitoring] * r[R_monitoring]
           + p[P_cost_leadership] * r[R_system_leadership]
           + p[P_cost_conflict] * r[R_conflict_resolution]
           + p[P_cost_nested] * r[R_nested_coordination]
           + p[P_cost_whole_system] * r[R_whole_system_regulation]
           + p[P_cost_team] * r[R_dedicated_team];
}

/* commissioner._charge_costs */
static inline void charge_costs(World *w, const double *p, const double *r, int64_t lo, int64_t hi,
                                int64_t f) {
    int64_t *place_con = w->place_con;
    int64_t *con_kind = w->con_kind;
    double *payment = w->payment;
    double *spend_line = w->spend_line;
    double *paid = w->paid;
    double *transaction_cost = w->transaction_cost;
    double *governance_cost = w->governance_cost;
    double *pool_balance = w->pool_balance;
    int64_t *place_con_start = w->place_con_start;
    int64_t *place_con_end = w->place_con_end;
    double *allocation = w->allocation;
    double strategic = 1.0 - p[P_strategic_transaction_cut] * r[R_strategic_commissioning];
    double team = 1.0 - p[P_team_transaction_cut] * r[R_dedicated_team];
    double rate = governance_rate(p, r);
    double transaction_share = transaction_rate(p, f);
    for (int64_t q = lo; q < hi; q++) {
        for (int64_t k = 0; k < N_LINES; k++) {
            spend_line[q * N_LINES + k] = 0.0;
        }
        for (int64_t idx = place_con_start[q]; idx < place_con_end[q]; idx++) {
            int64_t c = place_con[idx];
            spend_line[q * N_LINES + con_kind[c]] += payment[c];
        }
        double total = paid[q];
        double transaction = transaction_share * total * strategic * team;
        double governance = allocation[q] * rate;
        transaction_cost[q] = transaction;
        governance_cost[q] = governance;
        pool_balance[q] -= total + transaction + governance;
    }
}
#endif
