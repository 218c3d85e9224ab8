"""The design principles: each with the rule levers it switches and a plain-English line (shown in
the app, `commons list` and docs/ODD.md). The mechanisms behind each are in docs/ODD.md, section 7.

`requires` names the principles a principle acts through in full (Ostrom's principles build on
one another): sanctions fall on breaches that an agreement defines and monitoring detects; chosen
shares need an agreement and members to choose them; open books cover the pool inside the
agreement's boundary; the public's priority is for a prevention budget. Six of them still act
alone, more weakly (ODD 7.26): a boundary lets the place's own data show part of each partner's
conduct, open books without a boundary cover the commissioner's contracts, sanctions without an
agreement enforce the regulator's control totals, an involved public asks for a prevention slice
of its own, a choice with nothing agreed sets the fair share partly by need, and shares agreed
with no partnership are activity plans with the commissioner. Partners with nothing agreed have
no shares to keep, but with social care at the table they plan discharges together (ODD 7.18),
agreement or not. The principle-effects analysis
(`sim.analysis.principles`) measures each principle alone and beside its requirements (with the
running costs at 0, so that a cost is not taken for a mechanism).
"""

# Principles, each with the levers it switches and a plain-English line (shown in the app).
PRINCIPLES: dict[str, dict[str, object]] = {
    "boundary": {
        "levers": ("scope",),
        "requires": ("monitoring",),
        "explain": "The population, boundary and services in scope are defined, so the agreement "
        "and its open books cover the whole pool, and even without open books the place's own "
        "data show part of each partner's conduct (Ham & Alderwick 1, 3; Ostrom 1).",
    },
    "partners": {
        "levers": ("partnership_breadth",),
        "requires": ("agreed_shares", "collective_choice"),
        "explain": "All the right partners are in: acute, community, mental health, primary care, "
        "social care and ambulance; with social care at the table they plan discharges together, "
        "so fewer patients wait in hospital for an assessment or a funding decision (Ham & "
        "Alderwick 2).",
    },
    "shared_vision": {
        "levers": ("shared_vision",),
        "explain": "Partners share a vision and objectives, so each weighs the system's outcome "
        "beside its own (Ham & Alderwick 4).",
    },
    "agreed_shares": {
        "levers": ("agreed_shares",),
        "requires": ("partners", "collective_choice"),
        "explain": "Partners agree each one's share of the pool: rules that fit local conditions; "
        "a share agreed with no partnership is an activity plan agreed with the commissioner "
        "alone, above which acute activity is paid at a marginal rate "
        "(Ham & Alderwick 5; Ostrom 2).",
    },
    "prevention": {
        "levers": ("prevention_slice",),
        "explain": "A slice of the place's expected need is ring-fenced for prevention and "
        "community care, with diminishing returns to health (Ham & Alderwick 3).",
    },
    "collective_choice": {
        "levers": ("collective_choice",),
        "requires": ("agreed_shares", "partners"),
        "explain": "Partners choose the rules together: each one's agreed share follows its need, "
        "not history; each year they vote on the prevention slice and the fine (ODD 7.25); and "
        "sanctions under rules they chose feel legitimate; with nothing agreed, those the rules "
        "affect still choose the fair share they judge each other by, part of the way to need "
        "(Ham & Alderwick 5; Ostrom 2, 3).",
    },
    "public_involvement": {
        "levers": ("public_involvement",),
        "requires": ("prevention",),
        "explain": "The public is involved in the agreement: the rules gain legitimacy, "
        "prevention is paid first, in part, when money is short, and the public asks for a "
        "prevention slice of its own where the rules table less (Ham & Alderwick 5).",
    },
    "system_leadership": {
        "levers": ("system_leadership",),
        "explain": "Leaders work for the system, which speeds the building of trust "
        "(Ham & Alderwick 6).",
    },
    "conflict_resolution": {
        "levers": ("conflict_resolution",),
        "explain": "Agreed ways to resolve disputes soften the fall in trust after a breach "
        "(Ham & Alderwick 7; Ostrom 6).",
    },
    "graduated_sanctions": {
        "levers": ("sanction_severity", "graduated_sanctions"),
        "requires": ("agreed_shares", "partners", "boundary", "monitoring"),
        "explain": "Breaches have consequences: graduated, they start with a warning that breeds "
        "no resentment and rise with repetition past the flat fine; the regulator fines a "
        "provider outside any agreement for breaching its control total "
        "(Ham & Alderwick 7; Ostrom 5).",
    },
    "monitoring": {
        "levers": ("monitoring",),
        "requires": ("boundary",),
        "explain": "Open books: breaches of agreed shares are detected with this probability, "
        "and partners see each other's conduct, so trust follows it faster; without a defined "
        "boundary they cover only the commissioner's contracts (Ham & Alderwick 10; Ostrom 4).",
    },
    "pooled_funding": {
        "levers": ("funding_model",),
        "explain": "A pooled, capitated budget replaces payment per unit of activity "
        "(Ham & Alderwick 8).",
    },
    "strategic_commissioning": {
        "levers": ("strategic_commissioning",),
        "explain": "Fewer, longer contracts cut transaction costs (Ham & Alderwick 8).",
    },
    "dedicated_team": {
        "levers": ("dedicated_team",),
        "explain": "A dedicated team runs the partnership: it finds more breaches in the open "
        "books and cuts transaction costs (Ham & Alderwick 9).",
    },
    "single_measures": {
        "levers": ("whole_system_regulation",),
        "explain": "One set of measures: the regulator rates the place's outcomes, not each "
        "organisation's own finances (Ham & Alderwick 10).",
    },
    "right_to_organise": {
        "levers": ("local_autonomy",),
        "explain": "The regulator does not override local agreements: without it, a provider "
        "in mandated support (oversight segment 3) is put on its own recovery plan and leaves "
        "the agreement in part; special measures override it whatever the rules (Ostrom 7).",
    },
    "nested_enterprises": {
        "levers": ("nested_coordination",),
        "explain": "Places pool risk within their integrated care system: each month their pool "
        "balances move part of the way towards the system's mean, so a place in deficit is "
        "carried by the others (Ostrom 8).",
    },
}
