/* The phase choose_rules (sim/core/submodels/choice.py) and choice.py's own helpers, translated by
   hand for the place-based world: the same operations in the same order as the numba kernel. The
   helpers it calls from place.py and incentives.py are in place.h and incentives.h. */
#include <stdlib.h>
#include "common.h"
#include "incentives.h"
#include "place.h"

/* sim.core.submodels.choice.tabled_slice */
static inline double tabled_slice(const double *p, const double *r) {
    return mx(r[R_prevention_slice], p[P_public_prevention] * r[R_public_involvement]);
}

/* sim.core.submodels.choice.ideal_slice */
static inline double ideal_slice(double weight, double value, double saturation,
                                 double care_share, double prevention_share, double cost_ratio,
                                 double cap) {
    double loss = cost_ratio * (weight + care_share) - prevention_share;
    double gain = weight * value;
    if (loss <= 0.0) return cap;
    if (gain <= loss) return 0.0;
    return mn(cap, saturation * log(gain / loss));
}

/* sim.core.submodels.choice.ideal_fine */
static inline double ideal_fine(double conduct, double spread) {
    return mx(0.0, 1.0 + spread * (2.0 * conduct - 1.0));
}

/* sim.core.submodels.choice.weighted_median */
static inline double weighted_median(const double *values, const double *weights, double total,
                                     const int64_t *order, int64_t start, int64_t end) {
    double best = INFINITY;
    for (int64_t k = start; k < end; k++) {
        double v = values[order[k]];
        if (v >= best) continue;
        double below = 0.0;
        for (int64_t j = start; j < end; j++) {
            if (values[order[j]] <= v) below += weights[j - start];
        }
        if (2.0 * below >= total) best = v;
    }
    return best;
}

/* sim.core.submodels.choice.choose_rules */
void c_choose_rules(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    double step = w->clock[CLOCK_STEP];
    double choice = r[R_collective_choice];
    if (choice <= 0.0 || py_fmod(step, MONTHS_PER_YEAR) != 0.0) return;
    const int64_t *place_con = w->place_con;
    const int64_t *place_con_start = w->place_con_start;
    const int64_t *place_con_end = w->place_con_end;
    const double *rules_adopted = w->rules_adopted;
    const int64_t *con_org = w->con_org;
    const int64_t *con_kind = w->con_kind;
    const double *con_size = w->con_size;
    const double *con_base_share = w->con_base_share;
    const double *con_prev_share = w->con_prev_share;
    const double *need = w->need;
    const double *need_base = w->need_base;
    const double *providers = w->providers;
    const double *available = w->available;
    const double *org_member = w->org_member;
    const int64_t *org_type = w->org_type;
    const double *vision = w->vision;
    const double *segment = w->segment;
    const double *conduct = w->conduct;
    double *vote_slice = w->vote_slice;
    double *vote_fine = w->vote_fine;
    double *chosen_slice = w->chosen_slice;
    double *fine_factor = w->fine_factor;
    double tabled = tabled_slice(p, r);
    double by_need, open_;
    need_choice(p, r, &by_need, &open_);
    double slice_move = tabled > 0.0 ? by_need : 0.0;
    double fine_move = r[R_sanction_severity] > 0.0 ? choice : 0.0;
    double value = p[P_prevention_value];
    double saturation = p[P_prevention_saturation];
    double spread = p[P_vote_fine_spread];
    double focus = p[P_special_measures_focus];
    for (int64_t q = lo; q < hi; q++) {
        if (step - rules_adopted[q] < MONTHS_PER_YEAR) continue;
        int64_t start = place_con_start[q], end = place_con_end[q];
        double expected = trend_need(need_base, q);
        double cost_ratio = expected > 0.0 ? available[q] / expected : 1.0;
        /* np.empty(end - start): a fresh array per place, as the kernel allocates one. */
        double *weights = malloc((size_t)(end - start) * sizeof(double));
        double total = 0.0;
        double funded = 0.0;
        for (int64_t k = start; k < end; k++) {
            int64_t c = place_con[k];
            int64_t i = con_org[c];
            vote_fine[c] = ideal_fine(conduct[i], spread);
            weights[k - start] = org_member[i];
            total += org_member[i];
            funded += con_prev_share[c];
        }
        if (total <= 0.0) {
            free(weights);
            continue; /* nobody inside the agreement: the rules in force stand */
        }
        if (funded > 0.0) {
            double covered = covered_need(need, providers, q);
            for (int64_t k = start; k < end; k++) {
                int64_t c = place_con[k];
                int64_t i = con_org[c];
                int64_t kind = con_kind[c];
                double faced = contract_need(need, providers, con_size[c], q, kind);
                double choose = by_need * org_member[i] + open_;
                double share = share_in_force(con_base_share[c], faced, covered, choose);
                double weight = board_weight(org_type[i], vision[i], segment[i], focus);
                vote_slice[c] = ideal_slice(weight, value, saturation, share, con_prev_share[c],
                                            cost_ratio, SLICE_CAP);
            }
            double median = weighted_median(vote_slice, weights, total, place_con, start, end);
            chosen_slice[q] = tabled + slice_move * (median - tabled);
        }
        double median = weighted_median(vote_fine, weights, total, place_con, start, end);
        fine_factor[q] = 1.0 + fine_move * (median - 1.0);
        free(weights);
    }
}
