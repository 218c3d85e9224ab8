"""Scenario parameters: what six design principles do on their own, without the principles they
usually act through (ODD 7.26). A defined boundary without open books, open books without a
defined boundary, sanctions without an agreement, a public without a tabled prevention budget,
a choice with no agreement to bind it, and shares agreed with no partnership each still act, more
weakly; where the rules hold the other principles too these terms are inert, except that a
boundary without open books (the partnership board) now shows partners part of each other's
conduct (`sim.core.parameter_table`). `partner_talk` is an alternative rule for partners, 0 by
default: it acts in every partnership, agreed or not."""

from __future__ import annotations

from sim.core.parameter_spec import Param, row

STANDALONE_PARAMETERS: tuple[Param, ...] = (
    row(
        "place_data_sight",
        0.25,
        float,
        0.0,
        1.0,
        "share of partners' conduct a defined place's own data show without open books",
        "reasoning: a defined population's activity, waits and spend are counted by place, so "
        "part of each partner's conduct shows in them; coarser than open books (what the books "
        "show includes it), so set below the least monitoring of the presets that monitor (0.5), "
        "where the books then show at least as much: half of it, a judgement",
        elsewhere=0.0,  # a laboratory game has no place's data (its group total is shown)
    ),
    row(
        "unbounded_cover",
        0.5,
        float,
        0.0,
        1.0,
        "share of partners' conduct open books show without a defined boundary",
        "reasoning: without an agreed boundary the books cover the contracts the place's "
        "commissioner holds, not the services, population and flows outside them; half is a "
        "judgement (a boundary over the whole pool makes it 1)",
        elsewhere=0.0,  # a laboratory game has no commissioner: its books cover the scope
    ),
    row(
        "control_total_detection",
        0.25,
        float,
        0.0,
        1.0,
        "monthly chance the regulator finds the overclaim of a provider outside any agreement",
        "reasoning: outside an agreement the regulator enforces its own control totals (each "
        "provider's norm, its historical share unless chosen openly) from each provider's returns, whose support needs it reviews "
        "quarterly [NHSE-SOF2021]: most overclaims found within the year, a quarter a month, a "
        "judgement",
        elsewhere=0.0,  # no regulator in a laboratory game
    ),
    row(
        "public_prevention",
        0.01,
        float,
        0.0,
        0.1,
        "prevention slice an involved public asks for where the rules table less",
        "reasoning: an involved public puts prevention first (as its priority in payment, ODD "
        "7.6) and asks for some where none is ring-fenced; a third of shared governance's 3%, a "
        "judgement",
        elsewhere=0.0,  # no prevention to fund in a laboratory game
    ),
    row(
        "open_choice",
        0.5,
        float,
        0.0,
        1.0,
        "share of the way to need the fair share moves when chosen with no agreement",
        "reasoning: those the rules affect take part in changing them (Ostrom's third "
        "principle) even with no agreement to bind them; the fair share they judge each other "
        "by is chosen, not binding, and moves half the way an agreed one does, a judgement",
        elsewhere=0.0,  # a laboratory game's shares are equal whoever chooses them
    ),
    row(
        "plan_marginal_rate",
        0.3,
        float,
        0.0,
        1.0,
        "share of its price paid for acute activity above a share agreed outside a partnership",
        "reasoning: a share agreed with the commissioner alone is the contract's activity plan, "
        "and activity above a plan is paid at a marginal rate, as emergency growth above the "
        "2008/09 baseline was paid 30% of tariff (ODD 5): the same rate, a judgement",
        elsewhere=1.0,  # no tariff in a laboratory game: as if paid in full
    ),
    row(
        "partner_talk",
        0.0,
        float,
        0.0,
        1.0,
        "share of the gap to full belief in partners that talk at one table closes",
        "reasoning: an alternative rule, not adopted (ODD 7.26). Partners at one table make "
        "promises, and in the laboratory talk without sanctions raised the rent kept from 21% "
        "to 55% and 73% [OWG1992]; but at 0.5 it moves shared governance's mean trust from 0.71 "
        "to 0.92 and the success regime's fines from 1,736 to 3,998 on one unsourced "
        "judgement, so the default is 0: partners with nothing agreed have no shares to keep",
        elsewhere=0.0,  # the games' talk is their communication treatment's agreement
    ),
)
