/* The trust's phases of the month: plan, deliver, invest and commit (sim/core/submodels/trust.py),
   with trust.py's own helpers; those they call from behaviour.py, place.py, regulator.py and
   common.py are in behaviour.h, place.h, regulator.h and common.h.
   The place-based world only: the laboratory games' branches return early. */
#include <math.h>
#include <stdint.h>
#include "behaviour.h"
#include "common.h"
#include "place.h"
#include "regulator.h"

/* sim.core.submodels.trust.duty_to_treat */
static inline double duty_to_treat(const double *p, int64_t kind) {
    if (kind == COMMUNITY || kind == MENTAL_HEALTH) {
        return p[P_duty_to_treat_community];
    }
    if (kind == PRIMARY_CARE) {
        return p[P_duty_to_treat_primary];
    }
    if (kind == SOCIAL_CARE) {
        return 0.0;
    }
    return 1.0;
}

/* sim.core.submodels.trust.capital_funded */
static inline double capital_funded(double surplus, double element) {
    if (surplus >= element) {
        return 1.0;
    }
    if (surplus <= 0.0) {
        return 0.0;
    }
    return surplus / element;
}

/* sim.core.submodels.trust.price_index: float ** float (the step is a float of the clock). */
static inline double price_index(const double *p, double step) {
    return pow(1.0 - p[P_tariff_efficiency] / MONTHS_PER_YEAR, step);
}

/* sim.core.submodels.trust.plan */
void c_plan(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    gate_cooperation(w, p, lo, hi);
    int64_t *key = w->key;
    int64_t *con_place = w->con_place;
    int64_t *con_kind = w->con_kind;
    double *capacity = w->capacity;
    double *need = w->need;
    double *providers = w->providers;
    double *available = w->available;
    double *kept = w->kept;
    double *org_member = w->org_member;
    int64_t *org_con_start = w->org_con_start;
    int64_t *org_con_end = w->org_con_end;
    double *demand = w->demand;
    double *agreed = w->agreed;
    double *agreed_prevention = w->agreed_prevention;
    double *selfish_claim = w->selfish_claim;
    double *coop_claim = w->coop_claim;
    double *claim = w->claim;
    double *prevention = w->prevention;
    double *con_prev_share = w->con_prev_share;
    double *con_base_share = w->con_base_share;
    double *need_base = w->need_base;
    double *balance = w->balance;
    double *income_ref = w->org_income_ref;
    double *con_size = w->con_size;
    double *segment = w->segment;
    double *delayed = w->delayed;
    int64_t world = key[KEY_WORLD];
    if (world == CLASSROOM_COMMONS) {
        return; /* plan_commons: a laboratory game, not translated */
    }
    if (world != PLACE_SYSTEM) {
        return; /* plan_public_goods: a laboratory game, not translated */
    }
    double *chosen_slice = w->chosen_slice;
    double chosen, open_;
    need_choice(p, r, &chosen, &open_);
    double override = p[P_regulator_override];
    double autonomy = r[R_local_autonomy];
    double induced = p[P_induced_demand];
    int activity_model = (int64_t)r[R_funding_model] == ACTIVITY;
    double *need_covered = w->need_covered;
    double *need_trend = w->need_trend;
    for (int64_t q = 0; q < w->n_place; q++) {
        if (chosen > 0.0 || open_ > 0.0) {
            need_covered[q] = covered_need(need, providers, q);
        }
        need_trend[q] = trend_need(need_base, q);
    }
    for (int64_t i = lo; i < hi; i++) {
        double reach = override * override_reach(segment[i], autonomy);
        double coop = kept[i] * (1.0 - reach * recovery_pressure(p, balance[i], income_ref[i]));
        double choose = chosen * org_member[i] + open_;
        for (int64_t c = org_con_start[i]; c < org_con_end[i]; c++) {
            int64_t q = con_place[c];
            int64_t k = con_kind[c];
            double faced = contract_need(need, providers, con_size[c], q, k);
            double room = capacity[c];
            if (k == ACUTE) {
                room = mx(0.0, room - delayed[q] / providers[q * N_LINES + k] * con_size[c]);
            }
            demand[c] = faced;
            double share = share_in_force(con_base_share[c], faced, need_covered[q], choose);
            double slice_ = chosen_slice[q];
            double norm = mn(faced, share * (1.0 - slice_) * available[q]);
            double activity_paid = (activity_model && k == ACUTE) ? 1.0 : 0.0;
            double selfish = mn(room, faced * (1.0 + induced * activity_paid));
            agreed[c] = norm;
            agreed_prevention[c] = slice_ * con_prev_share[c] * need_trend[q];
            selfish_claim[c] = selfish;
            coop_claim[c] = norm;
            claim[c] = mn(room, coop * norm + (1.0 - coop) * selfish);
            prevention[c] = coop * agreed_prevention[c];
        }
    }
}

/* sim.core.submodels.trust.deliver */
void c_deliver(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    double *claim = w->claim;
    double *prevention = w->prevention;
    double *payment = w->payment;
    double *activity = w->activity;
    int64_t *key = w->key;
    double *income = w->income;
    double *spend = w->spend;
    double *cum_income = w->cum_income;
    double *cum_spend = w->cum_spend;
    double *balance = w->balance;
    int64_t *org_con_start = w->org_con_start;
    int64_t *org_con_end = w->org_con_end;
    double *prevention_delivered = w->prevention_delivered;
    int64_t *con_kind = w->con_kind;
    double *unit_cost = w->unit_cost;
    int place_system = key[KEY_WORLD] == PLACE_SYSTEM;
    for (int64_t i = lo; i < hi; i++) {
        double received = 0.0;
        double cost = 0.0;
        for (int64_t c = org_con_start[i]; c < org_con_end[i]; c++) {
            received += payment[c];
            if (place_system) {
                double requested = claim[c] + prevention[c];
                double funded = requested > 0.0 ? mn(1.0, payment[c] / requested) : 1.0;
                double duty = duty_to_treat(p, con_kind[c]);
                activity[c] = claim[c] * mn(1.0, funded + (1.0 - funded) * duty);
                prevention_delivered[c] = prevention[c] * funded;
                cost += (activity[c] + prevention_delivered[c]) * unit_cost[i];
            } else {
                activity[c] = claim[c];
            }
        }
        income[i] = received;
        spend[i] = cost;
        cum_income[i] += received;
        cum_spend[i] += cost;
        balance[i] += received - cost;
    }
}

/* sim.core.submodels.trust.invest */
void c_invest(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    int64_t *key = w->key;
    double *clock = w->clock;
    double *balance = w->balance;
    double *spend = w->spend;
    double *income = w->income;
    double *unit_cost = w->unit_cost;
    double *invested = w->invested;
    double *efficiency_paid = w->efficiency_paid;
    double *capacity = w->capacity;
    double *activity = w->activity;
    double *payment = w->payment;
    int64_t *con_place = w->con_place;
    double *pool_balance = w->pool_balance;
    int64_t *org_con_start = w->org_con_start;
    int64_t *org_con_end = w->org_con_end;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return;
    }
    double cut = 1.0 - price_index(p, clock[CLOCK_STEP]);
    double grow = monthly_need_growth(p);
    double wear = p[P_capital_depreciation] / MONTHS_PER_YEAR;
    double target = 1.0 + p[P_capacity_headroom];
    double intensity = p[P_capital_intensity];
    double element_share = p[P_capital_share];
    double productivity = p[P_productivity_growth] / MONTHS_PER_YEAR;
    double weight = p[P_capital_weight];
    for (int64_t i = lo; i < hi; i++) {
        int64_t start = org_con_start[i], end = org_con_end[i];
        double back = 0.0;
        for (int64_t c = start; c < end; c++) {
            double part = cut * payment[c];
            pool_balance[con_place[c]] += part;
            back += part;
        }
        balance[i] -= back;
        efficiency_paid[i] = back;
        double element = element_share * spend[i];
        double funded = capital_funded(income[i] - back - spend[i] + element, element);
        double lost = weight * (1.0 - funded) * (grow + wear);
        double rate = (1.0 + grow - lost) / (1.0 - productivity);
        double gap = 0.0;
        for (int64_t c = start; c < end; c++) {
            capacity[c] *= rate;
            gap += mx(0.0, target * activity[c] - capacity[c]);
        }
        double extra = mn(mx(0.0, balance[i]), intensity * gap);
        if (extra > 0.0) {
            for (int64_t c = start; c < end; c++) {
                double short_ = mx(0.0, target * activity[c] - capacity[c]);
                capacity[c] += extra / intensity * short_ / gap;
            }
            balance[i] -= extra;
            spend[i] += extra;
        }
        invested[i] = funded * element + extra;
        unit_cost[i] *= 1.0 - productivity;
    }
}

/* sim.core.submodels.trust.commit */
void c_commit(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)p;
    (void)r;
    double *cooperation = w->cooperation;
    double *cooperation_next = w->cooperation_next;
    for (int64_t i = lo; i < hi; i++) {
        cooperation[i] = cooperation_next[i];
    }
}
