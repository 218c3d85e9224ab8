/* The regulator's phases of the month (sim/core/submodels/regulator.py): pool_risk, assess,
   oversee and intervene; the helpers they call are in regulator.h. */
#include "common.h"
#include "regulator.h"

/* regulator.pool_risk */
void c_pool_risk(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)p;
    (void)lo;
    (void)hi;
    double *total = w->ics_total;
    double *count = w->ics_count;
    double *pool = w->pool_balance;
    const int64_t *place_ics = w->place_ics;
    double nu = r[R_nested_coordination];
    if (nu <= 0.0) {
        return;
    }
    for (int64_t s = 0; s < w->n_ics; s++) {
        total[s] = 0.0;
        count[s] = 0.0;
    }
    for (int64_t q = 0; q < w->n_place; q++) {
        total[place_ics[q]] += pool[q];
        count[place_ics[q]] += 1.0;
    }
    for (int64_t q = 0; q < w->n_place; q++) {
        int64_t s = place_ics[q];
        pool[q] += nu * (total[s] / count[s] - pool[q]);
    }
}

/* regulator.assess */
void c_assess(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    const int64_t *key = w->key;
    double *overclaim = w->overclaim;
    double *breach = w->breach;
    double *detected = w->detected;
    double *record = w->record;
    double *fine = w->fine;
    double *balance = w->balance;
    const double *clock = w->clock;
    const int64_t *org_con_start = w->org_con_start;
    const int64_t *org_con_end = w->org_con_end;
    const int64_t *con_place = w->con_place;
    double *pool_balance = w->pool_balance;
    double *fines_in = w->fines_in;
    const double *coop_claim = w->coop_claim;
    const double *selfish_claim = w->selfish_claim;
    double *conduct = w->conduct;
    const double *agreed_prevention = w->agreed_prevention;
    const double *claim = w->claim;
    const double *prevention = w->prevention;
    const double *org_member = w->org_member;
    const double *org_eligible = w->org_eligible;
    const double *fine_factor = w->fine_factor;
    double *fined_multiple = w->fined_multiple;
    int place_system = key[KEY_WORLD] == PLACE_SYSTEM;
    double tolerance = p[P_breach_tolerance];
    double agreed = r[R_agreed_shares];
    double monitoring = r[R_monitoring];
    double detection = detection_rate(p, r);
    double regulated = control_total_chance(p, r);
    double severity = r[R_sanction_severity] * p[P_fine_per_unit];
    double graduated = r[R_graduated_sanctions];
    double escalation = p[P_sanction_escalation];
    int64_t seed = key[KEY_SEED], run = key[KEY_RUN], step = (int64_t)clock[CLOCK_STEP];
    for (int64_t i = lo; i < hi; i++) {
        int64_t start = org_con_start[i], end = org_con_end[i];
        double over = 0.0;
        double fined = 0.0;
        double reference = 0.0;
        double kept_way = 0.0;
        double whole_way = 0.0;
        double care, skimped;
        for (int64_t c = start; c < end; c++) {
            overclaimed(claim, coop_claim, agreed_prevention, prevention, c, &care, &skimped);
            over += care;
            over += skimped;
            double factor = fine_factor[con_place[c]];
            fined += factor * care;
            fined += factor * skimped;
            reference += coop_claim[c] + agreed_prevention[c];
            kept_way += mx(0.0, selfish_claim[c] - claim[c]) + mn(prevention[c], agreed_prevention[c]);
            whole_way += mx(0.0, selfish_claim[c] - coop_claim[c]) + agreed_prevention[c];
        }
        conduct[i] = whole_way > 0.0 ? mn(1.0, kept_way / whole_way) : 1.0;
        if (!place_system) {
            /* laboratory games: the reference is the endowment (kept, a cheap branch) */
            reference = p[P_endowment] * (double)(end - start);
        }
        overclaim[i] = over;
        if (over <= tolerance * reference) {
            continue;
        }
        breach[i] = 1.0;
        double chance = regulated * outside(agreed, org_eligible[i]);
        if (agreed * org_member[i] > 0.0 && monitoring > 0.0) {
            chance = detection * org_member[i];
        }
        if (chance <= 0.0) {
            continue;
        }
        double u = uniform(seed, run, step, i, RNG_MONITORING);
        if (u >= chance) {
            continue;
        }
        detected[i] = 1.0;
        record[i] += 1.0;
        fined_multiple[i] = fined / over;
        double scale = severity * sanction_level(graduated, record[i], escalation);
        double amount = 0.0;
        for (int64_t c = start; c < end; c++) {
            int64_t q = con_place[c];
            overclaimed(claim, coop_claim, agreed_prevention, prevention, c, &care, &skimped);
            double part = scale * fine_factor[q] * (care + skimped);
            pool_balance[q] += part;
            fines_in[q] += part;
            amount += part;
        }
        fine[i] = amount;
        balance[i] -= amount;
    }
}

/* regulator.oversee */
void c_oversee(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    const int64_t *key = w->key;
    const double *clock = w->clock;
    const double *balance = w->balance;
    const double *org_income_ref = w->org_income_ref;
    double *segment = w->segment;
    double *concern = w->concern;
    double *special_months = w->special_months;
    double *special_spells = w->special_spells;
    const double *demand = w->demand;
    const double *activity = w->activity;
    const int64_t *org_con_start = w->org_con_start;
    const int64_t *org_con_end = w->org_con_end;
    const int64_t *con_place = w->con_place;
    double *pool_balance = w->pool_balance;
    double *takeover_cost = w->takeover_cost;
    double *support_cost = w->support_cost;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return;
    }
    int review = floor_mod((int64_t)clock[CLOCK_STEP], (int64_t)p[P_oversight_review]) == 0;
    double entry = p[P_special_measures_concern];
    double wait_limit = p[P_oversight_wait];
    double own_access = 1.0 - r[R_whole_system_regulation];
    double support = p[P_special_measures_cost];
    for (int64_t i = lo; i < hi; i++) {
        int64_t start = org_con_start[i], end = org_con_end[i];
        if (review) {
            double waiting = 0.0;
            double treated = 0.0;
            for (int64_t c = start; c < end; c++) {
                waiting += mx(0.0, demand[c] - activity[c]);
                treated += activity[c];
            }
            double finance = recovery_pressure(p, balance[i], org_income_ref[i]);
            double access = own_access * access_concern(waiting, treated, wait_limit);
            concern[i] = mx(finance, access);
            double rated = segment_for(concern[i], entry, segment[i]);
            if (rated >= SPECIAL_MEASURES && segment[i] < SPECIAL_MEASURES) {
                special_spells[i] += 1.0;
            }
            if (rated < SPECIAL_MEASURES) {
                special_months[i] = 0.0;
            }
            segment[i] = rated;
        }
        if (segment[i] < SPECIAL_MEASURES) {
            continue;
        }
        special_months[i] += 1.0;
        double cost = support * org_income_ref[i];
        int64_t n = end - start;
        for (int64_t c = start; c < end; c++) {
            int64_t q = con_place[c];
            pool_balance[q] -= cost / (double)n;
            takeover_cost[q] += cost / (double)n;
            support_cost[q] += cost / (double)n;
        }
    }
}

/* regulator.intervene */
void c_intervene(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    (void)r;
    const int64_t *key = w->key;
    double *balance = w->balance;
    double *failures = w->failures;
    double *record = w->record;
    double *segment = w->segment;
    double *special_months = w->special_months;
    const double *org_income_ref = w->org_income_ref;
    const int64_t *org_con_start = w->org_con_start;
    const int64_t *org_con_end = w->org_con_end;
    const int64_t *con_place = w->con_place;
    double *pool_balance = w->pool_balance;
    double *takeover_cost = w->takeover_cost;
    if (key[KEY_WORLD] != PLACE_SYSTEM) {
        return;
    }
    double limit = p[P_special_measures_limit];
    double takeover = p[P_takeover_cost];
    for (int64_t i = lo; i < hi; i++) {
        if (segment[i] < SPECIAL_MEASURES || special_months[i] < limit) {
            continue;
        }
        double cost = takeover * MONTHS_PER_YEAR * org_income_ref[i];
        double written_off = mx(0.0, -balance[i]);
        int64_t start = org_con_start[i], end = org_con_end[i];
        int64_t n = end - start;
        for (int64_t c = start; c < end; c++) {
            int64_t q = con_place[c];
            pool_balance[q] -= (written_off + cost) / (double)n;
            takeover_cost[q] += cost / (double)n;
        }
        balance[i] += written_off;
        failures[i] += 1.0;
        record[i] = 0.0;
        segment[i] = 1.0;
        special_months[i] = 0.0;
    }
}
