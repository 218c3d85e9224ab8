/* The month's opening and its money: begin_step (sim/core/submodels/clock.py), update_need and
   update_health (sim/core/submodels/place.py), allocate and pay
   (sim/core/submodels/commissioner.py); the helpers they call are in place.h and commissioner.h.
   Place-based world only: the laboratory games' branches return early. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "commissioner.h"
#include "place.h"

/* PREVENTIVE and COST_PER_CASE come from world.h, generated from the model's own arrays. */

/* clock.begin_step */
void c_begin_step(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    (void)lo;
    (void)hi;
    double *clock = w->clock;
    double *breach = w->breach;
    double *detected = w->detected;
    double *fine = w->fine;
    double *overclaim = w->overclaim;
    double *income = w->income;
    double *spend = w->spend;
    double *takeover_cost = w->takeover_cost;
    double *support_cost = w->support_cost;
    double *fines_in = w->fines_in;
    clock[CLOCK_STEP] += 1.0;
    clock[CLOCK_BUDGET] *= 1.0 + p[P_budget_growth] / MONTHS_PER_YEAR;
    clock[CLOCK_NEED] *= 1.0 + monthly_need_growth(p);
    for (int64_t i = 0; i < w->n_org; i++) {
        breach[i] = 0.0;
        detected[i] = 0.0;
        fine[i] = 0.0;
        overclaim[i] = 0.0;
        income[i] = 0.0;
        spend[i] = 0.0;
    }
    for (int64_t q = 0; q < w->n_place; q++) {
        takeover_cost[q] = 0.0;
        support_cost[q] = 0.0;
        fines_in[q] = 0.0;
    }
}

/* place.update_need */
void c_update_need(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    double *health = w->health;
    double *health_base = w->health_base;
    double *need_base = w->need_base;
    double *need = w->need;
    double *waiting = w->waiting;
    double *spill = w->spill;
    double *acute_new = w->acute_new;
    int64_t *key = w->key;
    double *clock = w->clock;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return; /* laboratory games: games.tally_claims, not translated */
    }
    double growth = 1.0 + monthly_need_growth(p);
    double elasticity = p[P_health_need_elasticity];
    double noise = p[P_demand_noise];
    int64_t seed = key[KEY_SEED], run = key[KEY_RUN], step = (int64_t)clock[CLOCK_STEP];
    double winter = season(p, step);
    for (int64_t q = lo; q < hi; q++) {
        double health_factor = 1.0 + elasticity * (health_base[q] - health[q]) / health_base[q];
        double u1 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_A);
        double u2 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_B);
        double shock = mx(0.0, 1.0 + noise * SQRT6 * (u1 + u2 - 1.0));
        double factor = mx(0.0, health_factor) * shock * winter;
        for (int64_t k = 0; k < N_LINES; k++) {
            need_base[q * N_LINES + k] *= growth;
            need[q * N_LINES + k] = need_base[q * N_LINES + k] * factor + waiting[q * N_LINES + k];
        }
        need[q * N_LINES + ACUTE] += spill[q];
        acute_new[q] = need_base[q * N_LINES + ACUTE] * factor + spill[q];
    }
}

/* place.update_health */
void c_update_health(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    int64_t *place_con = w->place_con;
    int64_t *con_kind = w->con_kind;
    double *activity = w->activity;
    double *prevention_delivered = w->prevention_delivered;
    double *delivered = w->delivered;
    double *need = w->need;
    double *unmet_line = w->unmet;
    double *waiting = w->waiting;
    double *waiting_patients = w->waiting_patients;
    double *delayed = w->delayed;
    double *health = w->health;
    double *health_base = w->health_base;
    int64_t *key = w->key;
    double *prevention_spend = w->prevention_spend;
    double *spill = w->spill;
    int64_t *place_con_start = w->place_con_start;
    int64_t *place_con_end = w->place_con_end;
    int64_t *con_org = w->con_org;
    double *org_eligible = w->org_eligible;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return;
    }
    double attrition = p[P_waiting_attrition];
    double elective = p[P_elective_share];
    double dropout = elective * p[P_elective_dropout] + (1.0 - elective) * attrition;
    double spillover = p[P_spillover];
    double recovery = p[P_health_recovery];
    double prevention_effect = p[P_prevention_effect];
    double saturation = p[P_prevention_saturation];
    double unmet_harm = p[P_unmet_harm];
    double delay = p[P_discharge_delay];
    double planned_delay = delay * (1.0 - p[P_joint_discharge]);
    for (int64_t q = lo; q < hi; q++) {
        for (int64_t k = 0; k < N_LINES; k++) {
            delivered[q * N_LINES + k] = 0.0;
        }
        double prevention = 0.0;
        bool joint = false;
        for (int64_t idx = place_con_start[q]; idx < place_con_end[q]; idx++) {
            int64_t c = place_con[idx];
            delivered[q * N_LINES + con_kind[c]] += activity[c];
            prevention += prevention_delivered[c];
            if (con_kind[c] == SOCIAL_CARE && org_eligible[con_org[c]] > 0.0) {
                joint = true;
            }
        }
        prevention_spend[q] = prevention;
        double need_total = 0.0;
        double leaving = 0.0;
        double spilled = 0.0;
        for (int64_t k = 0; k < N_LINES; k++) {
            double left = mx(0.0, need[q * N_LINES + k] - delivered[q * N_LINES + k]);
            double leave = k == ACUTE ? dropout : attrition;
            unmet_line[q * N_LINES + k] = left;
            waiting[q * N_LINES + k] = (1.0 - leave) * left;
            waiting_patients[q * N_LINES + k] =
                waiting[q * N_LINES + k] * POUNDS_PER_MILLION / COST_PER_CASE[k];
            need_total += need[q * N_LINES + k];
            leaving += leave * left;
            if (PREVENTIVE[k] == 1) {
                spilled += left;
            }
        }
        spill[q] = spillover * attrition * spilled;
        delayed[q] = (joint ? planned_delay : delay) * unmet_line[q * N_LINES + SOCIAL_CARE];
        double h = health[q];
        double dh = recovery * (health_base[q] - h);
        if (need_total > 0.0) {
            dh += prevention_gain(prevention_effect, saturation, prevention / need_total);
            dh -= unmet_harm * leaving / need_total;
        }
        health[q] = clamp(h + dh, 0.0, 1.0);
    }
}

/* commissioner.allocate */
void c_allocate(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    double *pool_balance = w->pool_balance;
    double *clock = w->clock;
    int64_t *key = w->key;
    double *allocation = w->allocation;
    double *available = w->available;
    double *alloc_base = w->alloc_base;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return;
    }
    double budget = clock[CLOCK_BUDGET];
    double repayment_rate = p[P_repayment_rate];
    double max_repayment = p[P_max_repayment_share];
    double reserve_draw = p[P_reserve_draw];
    double *pool = pool_balance;
    for (int64_t q = lo; q < hi; q++) {
        double alloc = alloc_base[q] * budget;
        double deficit = mx(0.0, -pool[q]);
        double repay = mn(repayment_rate * deficit, max_repayment * alloc);
        double reserve = mx(0.0, pool[q]);
        allocation[q] = alloc;
        available[q] = alloc - repay + reserve_draw * reserve;
        pool[q] += alloc;
    }
}

/* commissioner.pay */
void c_pay(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    int64_t *key = w->key;
    int64_t world = key[KEY_WORLD];
    if (world == CLASSROOM_COMMONS) {
        return; /* laboratory game: games.pay_commons, not translated */
    }
    if (world == PUBLIC_GOODS) {
        return; /* laboratory game: games.pay_public_goods, not translated */
    }
    int64_t f = (int64_t)r[R_funding_model];
    if (f == ACTIVITY) {
        pay_by_activity(w, p, r, lo, hi);
    } else if (f == BLOCK) {
        pay_blocks(w, p, r, lo, hi);
    } else {
        pay_pooled(w, p, r, lo, hi, f == ALLIANCE);
    }
    charge_costs(w, p, r, lo, hi, f);
}
