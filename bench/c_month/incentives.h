/* The helpers of sim/core/submodels/incentives.py (learn, in trust_learn.c, weighs incentives). */
#ifndef INCENTIVES_H
#define INCENTIVES_H
#include "behaviour.h"
#include "commissioner.h"
#include "common.h"
#include "regulator.h"

/* incentives.system_weight */
static inline double system_weight(const double *p, const double *r) {
    double alliance = (int64_t)r[R_funding_model] == ALLIANCE ? 1.0 : 0.0;
    return p[P_vision_weight] * r[R_shared_vision]
           + p[P_whole_system_weight] * r[R_whole_system_regulation]
           + p[P_alliance_weight] * alliance;
}

/* The tuple incentives._rule_terms returns. */
typedef struct {
    double monitored, regulated, agreed, severity, graduated, escalation, focus;
} RuleTerms;

/* incentives._rule_terms */
static inline RuleTerms rule_terms(const double *p, const double *r) {
    RuleTerms t;
    double agreed = r[R_agreed_shares];
    double monitored = detection_rate(p, r) * agreed;
    double severity = r[R_sanction_severity] * p[P_fine_per_unit];
    double graduated = r[R_graduated_sanctions];
    double focus = p[P_special_measures_focus];
    double regulated = control_total_chance(p, r);
    t.monitored = monitored;
    t.regulated = regulated;
    t.agreed = agreed;
    t.severity = severity;
    t.graduated = graduated;
    t.escalation = p[P_sanction_escalation];
    t.focus = focus;
    return t;
}

/* incentives.board_weight */
static inline double board_weight(int64_t kind, double vision, double segment, double focus) {
    double weight = type_system_weight(kind, vision);
    if (segment >= SPECIAL_MEASURES) {
        weight *= 1.0 - focus;
    }
    return weight;
}

/* incentives._stake_and_weight: the stake is returned, the weight written to *weight. */
static inline double stake_and_weight(const RuleTerms *terms, double member, double eligible,
                                      double record, double risk, int64_t kind, double vision,
                                      double segment, double *weight) {
    double detect =
        terms->monitored * member + terms->regulated * outside(terms->agreed, eligible);
    double fine =
        terms->severity * sanction_level(terms->graduated, record + 1.0, terms->escalation) * risk;
    *weight = board_weight(kind, vision, segment, terms->focus);
    return detect * fine;
}

/* incentives._per_unit: writes (selfish incentive, incentive). */
static inline void per_unit(double net, double harm, double weight, double scale,
                            double *selfish_out, double *incentive_out) {
    double selfish = scale > 0.0 ? net / scale : 0.0;
    net -= weight * harm;
    *selfish_out = selfish;
    *incentive_out = scale > 0.0 ? net / scale : 0.0;
}

/* incentives._weigh_place */
static inline void weigh_place(World *w, const double *p, const double *r, int64_t lo,
                               int64_t hi) {
    double *selfish_claim = w->selfish_claim;
    double *coop_claim = w->coop_claim;
    double *agreed_prevention = w->agreed_prevention;
    int64_t *con_kind = w->con_kind;
    int64_t *con_place = w->con_place;
    double *pay_ratio = w->pay_ratio;
    int64_t *org_con_start = w->org_con_start;
    int64_t *org_con_end = w->org_con_end;
    double *org_member = w->org_member;
    double *org_eligible = w->org_eligible;
    double *record = w->record;
    double *risk_attitude = w->risk_attitude;
    int64_t *org_type = w->org_type;
    double *vision = w->vision;
    double *segment = w->segment;
    double *org_income_ref = w->org_income_ref;
    double *incentive = w->incentive;
    double *selfish_incentive = w->selfish_incentive;
    double *fine_factor = w->fine_factor;
    RuleTerms terms = rule_terms(p, r);
    int64_t f = (int64_t)r[R_funding_model];
    int by_activity = f == ACTIVITY;
    int block = f == BLOCK;
    double margin = p[P_tariff_margin];
    double plan_rate = p[P_plan_marginal_rate];
    double prevention_value = p[P_prevention_value];
    double silo = 1.0 - r[R_whole_system_regulation] * r[R_local_autonomy];
    double target = p[P_target_value] * silo;
    for (int64_t i = lo; i < hi; i++) {
        double weight;
        double stake = stake_and_weight(&terms, org_member[i], org_eligible[i], record[i],
                                        risk_attitude[i], org_type[i], vision[i], segment[i],
                                        &weight);
        double net = 0.0;
        double harm_total = 0.0;
        double plan = planned(r, org_eligible[i]);
        for (int64_t c = org_con_start[i]; c < org_con_end[i]; c++) {
            double value;
            if (by_activity && con_kind[c] == ACUTE) {
                value = margin;
                if (plan > 0.0) {
                    value -= plan * (1.0 + margin) * (1.0 - plan_rate);
                }
            } else if (block) {
                value = UNPAID_VALUE;
            } else {
                value = pay_ratio[con_place[c]] - 1.0;
            }
            value += target;
            double more = mx(0.0, selfish_claim[c] - coop_claim[c]);
            double prevention = agreed_prevention[c];
            double fined = stake * fine_factor[con_place[c]];
            net += value * more + prevention - fined * (more + prevention);
            harm_total += more + prevention_value * prevention;
        }
        per_unit(net, harm_total, weight, org_income_ref[i], &selfish_incentive[i], &incentive[i]);
    }
}

/* incentives.weigh_incentives */
static inline void weigh_incentives(World *w, const double *p, const double *r, int64_t lo,
                                    int64_t hi) {
    int64_t world = w->key[KEY_WORLD];
    if (world == PLACE_SYSTEM) {
        weigh_place(w, p, r, lo, hi);
    } else {
        /* _weigh_game: the laboratory games, not translated (place-based world only). */
        return;
    }
}
#endif
