/* The month's measures, `measure` (sim/core/measures.py) with its helpers and `measure_nhs`
   (sim/core/measures_nhs.py), translated by hand for the place-based world: the same operations in
   the same order as the numba kernel. */
#include <stdlib.h>
#include <string.h>
#include "common.h"

/* sim.core.measures.gini. np.sort of float64 is an ascending sort on a copy; equal values are
   indistinguishable (and a zero's sign cannot reach the sums, which start at +0.0), so any
   correct sort gives the same bits: an insertion sort here. */
static inline double gini(const double *values, int64_t n) {
    if (n == 0) return 0.0;
    double *x = malloc((size_t)n * sizeof(double));
    memcpy(x, values, (size_t)n * sizeof(double));
    for (int64_t i = 1; i < n; i++) {
        double v = x[i];
        int64_t j = i - 1;
        while (j >= 0 && x[j] > v) {
            x[j + 1] = x[j];
            j--;
        }
        x[j + 1] = v;
    }
    double total = 0.0;
    double weighted = 0.0;
    for (int64_t i = 0; i < n; i++) {
        total += x[i];
        weighted += (2.0 * (double)(i + 1) - (double)n - 1.0) * x[i];
    }
    free(x);
    if (total <= 0.0) return 0.0;
    return weighted / ((double)n * total);
}

/* sim.core.measures._measure_organisations */
static inline void measure_organisations(World *w, double *out) {
    const int64_t *org_kind = w->org_kind;
    const double *cooperation = w->cooperation;
    const double *breach = w->breach;
    const double *detected = w->detected;
    const double *fine = w->fine;
    const double *failures = w->failures;
    const double *spend = w->spend;
    const double *balance = w->balance;
    int64_t n_org = w->n_org;
    double coop = 0.0;
    double in_deficit = 0.0;
    double provider_deficit = 0.0;
    double acute_deficit = 0.0;
    double breaches = 0.0;
    double total_detected = 0.0;
    double fines = 0.0;
    double total_failures = 0.0;
    double total_spend = 0.0;
    for (int64_t i = 0; i < n_org; i++) {
        coop += cooperation[i];
        breaches += breach[i];
        total_detected += detected[i];
        fines += fine[i];
        total_failures += failures[i];
        total_spend += spend[i];
        if (balance[i] < 0.0) {
            in_deficit += 1.0;
            provider_deficit -= balance[i];
            if (org_kind[i] == ACUTE) acute_deficit -= balance[i];
        }
    }
    out[M_mean_cooperation] = coop / (double)n_org;
    out[M_breaches] = breaches;
    out[M_breaches_detected] = total_detected;
    out[M_sanctions] = total_detected;
    out[M_fines] = fines;
    out[M_provider_deficit] = provider_deficit;
    out[M_provider_spend] = total_spend;
    out[M_provider_failures] = total_failures;
    out[M_providers_in_deficit] = in_deficit;
    out[M_acute_deficit_share] = provider_deficit > 0.0 ? acute_deficit / provider_deficit : 0.0;
}

/* sim.core.measures.mean_trust */
static inline double mean_trust(const double *trust, int64_t n_edge) {
    double total = 0.0;
    for (int64_t e = 0; e < n_edge; e++) total += trust[e];
    return n_edge > 0 ? total / (double)n_edge : 0.0;
}

/* sim.core.measures._income_gini: writes the scratch org_ratio. */
static inline double income_gini(World *w) {
    double *ratios = w->org_ratio;
    const double *cum_income = w->cum_income;
    const double *cum_spend = w->cum_spend;
    for (int64_t i = 0; i < w->n_org; i++) {
        ratios[i] = cum_spend[i] > 0.0 ? cum_income[i] / cum_spend[i] : 0.0;
    }
    return gini(ratios, w->n_org);
}

/* sim.core.measures._measure_places: writes the scratch line_total. */
static inline void measure_places(World *w, double *out) {
    double *lines = w->line_total;
    const double *allocation = w->allocation;
    const double *pool_balance = w->pool_balance;
    const double *prevention_spend = w->prevention_spend;
    const double *health = w->health;
    const double *acute_new = w->acute_new;
    const double *acute_need_start = w->acute_need_start;
    const double *transaction_cost = w->transaction_cost;
    const double *governance_cost = w->governance_cost;
    const double *takeover_cost = w->takeover_cost;
    const double *need = w->need;
    const double *unmet = w->unmet;
    const double *waiting = w->waiting;
    const double *spend_line = w->spend_line;
    const double *delivered = w->delivered;
    int64_t n_place = w->n_place;
    double total_allocation = 0.0;
    double pool = 0.0;
    double commissioner_deficit = 0.0;
    double prevention = 0.0;
    double total_need = 0.0;
    double met = 0.0;
    double total_unmet = 0.0;
    double total_waiting = 0.0;
    double total_health = 0.0;
    double acute_need = 0.0;
    double acute_start = 0.0;
    double transaction = 0.0;
    double governance = 0.0;
    double takeover = 0.0;
    for (int64_t k = 0; k < N_LINES; k++) lines[k] = 0.0;
    for (int64_t q = 0; q < n_place; q++) {
        total_allocation += allocation[q];
        pool += pool_balance[q];
        if (pool_balance[q] < 0.0) commissioner_deficit -= pool_balance[q];
        prevention += prevention_spend[q];
        total_health += health[q];
        acute_need += acute_new[q];
        acute_start += acute_need_start[q];
        transaction += transaction_cost[q];
        governance += governance_cost[q];
        takeover += takeover_cost[q];
        for (int64_t k = 0; k < N_LINES; k++) {
            int64_t qk = q * N_LINES + k;
            total_need += need[qk];
            met += mn(need[qk], delivered[qk]);
            total_unmet += unmet[qk];
            total_waiting += waiting[qk];
            lines[k] += spend_line[qk];
        }
    }
    double payments = 0.0;
    for (int64_t k = 0; k < N_LINES; k++) {
        payments += lines[k];
        out[M_spend_acute + k] = lines[k];
    }
    out[M_allocation] = total_allocation;
    out[M_pool_balance] = pool;
    out[M_commissioner_deficit] = commissioner_deficit;
    out[M_system_deficit] = commissioner_deficit + out[M_provider_deficit];
    out[M_payments] = payments;
    out[M_prevention_spend] = prevention;
    out[M_acute_share] = payments > 0.0 ? lines[ACUTE] / payments : 0.0;
    out[M_need] = total_need;
    out[M_need_met] = met;
    out[M_unmet_need] = total_need > 0.0 ? total_unmet / total_need : 0.0;
    out[M_waiting_list] = total_waiting;
    out[M_population_health] = total_health / (double)n_place;
    out[M_acute_demand] = acute_need;
    double trend = acute_start * w->clock[CLOCK_NEED];
    out[M_acute_demand_vs_trend] = trend > 0.0 ? acute_need / trend : 0.0;
    out[M_transaction_costs] = transaction;
    out[M_governance_costs] = governance;
    out[M_takeover_costs] = takeover;
}

/* sim.core.measures.avoidable_admission_rate */
static inline double avoidable_admission_rate(double health) {
    double slope = (ADMISSIONS_WORST - ADMISSIONS_BEST) / (HEALTH_BEST - HEALTH_WORST);
    return mx(0.0, ADMISSIONS_BEST + slope * (HEALTH_BEST - health));
}

/* sim.core.measures._measure_readable: keeps the waiting list carried into next month. */
static inline void measure_readable(World *w, double *out) {
    const double *need = w->need;
    double *carried = w->waiting_carried;
    const double *delivered = w->delivered;
    const double *waiting = w->waiting;
    const double *waiting_patients = w->waiting_patients;
    const double *health = w->health;
    const double *population = w->population;
    double new_need = 0.0;
    double new_unmet = 0.0;
    double patients = 0.0;
    double patients_acute = 0.0;
    double admissions = 0.0;
    double people = 0.0;
    for (int64_t q = 0; q < w->n_place; q++) {
        for (int64_t k = 0; k < N_LINES; k++) {
            int64_t qk = q * N_LINES + k;
            double arrived = mx(0.0, need[qk] - carried[qk]);
            new_need += arrived;
            new_unmet += mx(0.0, arrived - delivered[qk]);
            double cases = waiting_patients[qk];
            patients += cases;
            if (k == ACUTE) patients_acute += cases;
            carried[qk] = waiting[qk];
        }
        admissions += avoidable_admission_rate(health[q]) * population[q] / PER_PEOPLE;
        people += population[q];
    }
    double spend = out[M_provider_spend] + out[M_transaction_costs] + out[M_governance_costs] +
                   out[M_takeover_costs];
    out[M_system_spend] = spend;
    out[M_overspend] = spend - out[M_allocation];
    out[M_new_need] = new_need;
    out[M_new_unmet_need] = new_need > 0.0 ? new_unmet / new_need : 0.0;
    out[M_waiting_patients] = patients;
    out[M_waiting_patients_acute] = patients_acute;
    out[M_avoidable_admissions] = admissions / MONTHS_PER_YEAR;
    out[M_avoidable_admission_rate] = people > 0.0 ? admissions / people * PER_PEOPLE : 0.0;
}

/* sim.core.measures_nhs.measure_nhs */
static inline void measure_nhs(World *w, double *out) {
    const double *segment = w->segment;
    const double *special_spells = w->special_spells;
    const double *invested = w->invested;
    const double *efficiency_paid = w->efficiency_paid;
    const double *delayed = w->delayed;
    double support = 0.0;
    double special = 0.0;
    double entries = 0.0;
    double capital = 0.0;
    double paid_back = 0.0;
    for (int64_t i = 0; i < w->n_org; i++) {
        if (segment[i] >= MANDATED_SUPPORT) support += 1.0;
        if (segment[i] >= SPECIAL_MEASURES) special += 1.0;
        entries += special_spells[i];
        capital += invested[i];
        paid_back += efficiency_paid[i];
    }
    double beds = 0.0;
    for (int64_t q = 0; q < w->n_place; q++) beds += delayed[q];
    out[M_providers_in_support] = support;
    out[M_providers_in_special_measures] = special;
    out[M_special_measures_entries] = entries;
    out[M_delayed_discharges] = beds;
    out[M_capital_invested] = capital;
    out[M_efficiency_paid_back] = paid_back;
}

/* sim.core.measures.measure */
void c_measure(World *w, double *p, double *r, double *out, int costly, int trust) {
    (void)p;
    (void)r;
    for (int64_t m = 0; m < N_MEASURES; m++) out[m] = 0.0;
    measure_organisations(w, out);
    if (trust) out[M_mean_trust] = mean_trust(w->trust, w->n_edge);
    int64_t world = w->key[KEY_WORLD];
    if (world == PLACE_SYSTEM) {
        measure_places(w, out);
        measure_readable(w, out);
        measure_nhs(w, out);
        if (costly) out[M_gini] = income_gini(w);
    } else {
        return; /* _measure_game (the laboratory games): not translated, place-based world only */
    }
}
