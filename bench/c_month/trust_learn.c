/* Phases `update_trust` and `learn` (sim/core/submodels/trust.py); the helpers they call are in
   incentives.h (the place-system path of `weigh_incentives`), behaviour.h and regulator.h. */
#include "behaviour.h"
#include "common.h"
#include "incentives.h"
#include "regulator.h"

/* trust.update_trust */
void c_update_trust(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    double *trust = w->trust;
    double *leadership = w->leadership;
    int64_t *edge_dst = w->edge_dst;
    double *breach = w->breach;
    double *detected = w->detected;
    double *record = w->record;
    int64_t *edge_start = w->edge_start;
    int64_t *edge_end = w->edge_end;
    double seen = visibility(p, r);
    double base_gain = p[P_trust_gain] * seen;
    double lead = r[R_system_leadership];
    double loss = p[P_trust_loss] * seen * (1.0 - p[P_conflict_softening] * r[R_conflict_resolution]);
    double imposed = p[P_resentment] * (1.0 - legitimacy(p, r));
    double graduated = r[R_graduated_sanctions];
    double escalation = p[P_sanction_escalation];
    double *vision = w->vision;
    double *fined_multiple = w->fined_multiple;
    double held = system_weight(p, r);
    double *conduct = w->conduct;
    double grading = p[P_trust_grading];
    for (int64_t i = lo; i < hi; i++) {
        double gain = base_gain * (1.0 + lead * leadership[i]);
        double v = vision[i];
        vision[i] = v >= held ? held : v + gain * (held - v);
        double resent = 0.0;
        if (detected[i] > 0.0) {
            double sting = sanction_level(graduated, record[i], escalation) * fined_multiple[i];
            resent = imposed * mn(1.0, sting);
        }
        for (int64_t e = edge_start[i]; e < edge_end[i]; e++) {
            double t = trust[e];
            int64_t j = edge_dst[e];
            double s = (1.0 - grading) * breach[j] + grading * (1.0 - conduct[j]);
            t = t + gain * (1.0 - t) * (1.0 - s) - loss * t * s;
            t -= resent * t;
            trust[e] = clamp(t, 0.0, 1.0);
        }
    }
}

/* trust.learn */
void c_learn(World *w, double *p, double *r, int64_t lo, int64_t hi) {
    double *trust = w->trust;
    int64_t *key = w->key;
    double *cooperation = w->cooperation;
    double *cooperation_next = w->cooperation_next;
    double *clock = w->clock;
    int64_t *edge_end = w->edge_end;
    int64_t *edge_start = w->edge_start;
    double *detected = w->detected;
    double *incentive = w->incentive;
    double *selfish_incentive = w->selfish_incentive;
    int64_t *org_type = w->org_type;
    double *org_eligible = w->org_eligible;
    weigh_incentives(w, p, r, lo, hi);
    double sensitivity = p[P_payoff_sensitivity];
    double rate = p[P_learning_rate];
    double follow = p[P_conditional_weight];
    double unconditional = p[P_initial_cooperation];
    double legit = legitimacy(p, r);
    double graduated = r[R_graduated_sanctions];
    double escalation = p[P_sanction_escalation];
    double *record = w->record;
    double *fined_multiple = w->fined_multiple;
    double deterrence = p[P_deterrence];
    double resentment = p[P_resentment];
    double exploration = p[P_exploration];
    int64_t seed = key[KEY_SEED], run = key[KEY_RUN], step = (int64_t)clock[CLOCK_STEP];
    for (int64_t i = lo; i < hi; i++) {
        double c = cooperation[i];
        double own = payoff_target(sensitivity, incentive[i], c);
        double belief = partner_belief(p, trust, edge_start[i], edge_end[i], org_eligible[i]);
        double weight = edge_end[i] > edge_start[i] ? follow : 0.0;
        double selfish = payoff_target(sensitivity, selfish_incentive[i], c);
        double target = mx(selfish, type_target(org_type[i], belief, own, weight, unconditional));
        double new_ = c + rate * (target - c);
        if (detected[i] > 0.0) {
            double sting =
                mn(1.0, sanction_level(graduated, record[i], escalation) * fined_multiple[i]);
            new_ += deterrence * legit * belief * (1.0 - new_);
            new_ -= resentment * (1.0 - legit) * sting * new_;
        }
        double u = uniform(seed, run, step, i, RNG_EXPLORATION);
        new_ += exploration * (u - 0.5);
        cooperation_next[i] = clamp(new_, 0.0, 1.0);
    }
}
