"""Calibration targets: published NHS figures, each with its source, year and tolerance, and how
the model's output maps onto it.

The model runs the default place world (three places, about 1.5 million people) under fortress
rules from April 2010 (model month 1 = April 2010, model year 1 = 2010/11). Payment by results,
organisations that each defend their own budget and a regulator that rates each organisation on
its own finances are what `fortress` represents (docs/validation.md, section 3), and they are the
NHS of 2010/11 to 2016/17.

Money is scaled to England by one factor: England's provider income in 2015/16, GBP 75.97bn
[NAO2016], over the model's provider income in its year 6 (2015/16), so a flow in model pounds
becomes GBP bn in England (`sim.validation.calibration_probe.observe`). Rates and shares need no
scaling. Sources are keys of docs/references.md (section "Calibration targets").
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLAND_PROVIDER_INCOME_2015_16 = 75.97  # GBP bn, V [NAO2016]
FIRST_YEAR = 2010  # model year 1 is 2010/11


def year_label(year: int) -> str:
    """Model year (1 = 2010/11) as the NHS financial year, e.g. 6 -> "2015/16"."""
    start = FIRST_YEAR + year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Target:
    """One published figure the model can be fitted to or checked against.

    Attributes:
        name: Short key, used on the command line (`--fit-on`, `--check-on`).
        label: What it is, in words.
        value: The published value, in `unit`.
        tolerance: The scale of a standardised error: how far off the model may be and still
            count as matching (a judgement: the figure's own uncertainty and how loosely the
            model's output maps onto it). The loss is the sum of ((model - value) / tolerance)^2.
        unit: The unit of `value`, `tolerance` and the model's figure.
        years: The model years it is read from (1 = 2010/11).
        observable: The key of the model's figure in `calibration_probe.observe`'s output.
        source: Reference keys of docs/references.md, with page or table.
        status: V (verified), D (derived) or R (recalled), as in docs/references.md.
        mapping: How the model's output maps onto the figure.
    """

    name: str
    label: str
    value: float
    tolerance: float
    unit: str
    years: tuple[int, ...]
    observable: str
    source: str
    status: str
    mapping: str


_MONEY = (
    "net surplus (+) or deficit (-) of every provider over the year: the sum over providers of "
    "income less spend, scaled to England by provider income in 2015/16"
)

TARGETS: tuple[Target, ...] = (
    Target(
        "surplus_2010",
        "Provider sector surplus, 2010/11",
        0.5,
        0.3,
        "GBP bn",
        (1,),
        "provider_net_y1",
        "[KF-TD]: providers ended each year 2009/10 to 2012/13 with 'a surplus of around "
        "GBP 500 million' (the GBP 513m of issue 13 for 2010/11 is R)",
        "V",
        _MONEY,
    ),
    Target(
        "surplus_2012",
        "Provider sector surplus, 2012/13",
        0.6,
        0.3,
        "GBP bn",
        (3,),
        "provider_net_y3",
        "[KF-TD]: 'as recently as 2012/13 NHS providers recorded a surplus of nearly "
        "GBP 600 million in aggregate'",
        "V",
        _MONEY,
    ),
    Target(
        "deficit_2013",
        "Provider sector deficit, 2013/14",
        -0.107,
        0.3,
        "GBP bn",
        (4,),
        "provider_net_y4",
        "[KF-TD]: 'in 2013/14 the gross deficit outweighed the gross surplus of NHS providers "
        "and there was a net overspend of GBP 107 million'",
        "V",
        _MONEY,
    ),
    Target(
        "deficit_2014",
        "Provider sector deficit, 2014/15",
        -0.859,
        0.4,
        "GBP bn",
        (5,),
        "provider_net_y5",
        "[NAO2016] (GBP 859m, same measure as 2015/16; references.md section 3)",
        "V",
        _MONEY,
    ),
    Target(
        "deficit_2015",
        "Provider sector deficit, 2015/16",
        -2.45,
        0.5,
        "GBP bn",
        (6,),
        "provider_net_y6",
        "[HF2016], [PF2016], [NAO2016] (NHS Improvement year-end report, 20 May 2016)",
        "V",
        _MONEY,
    ),
    Target(
        "acute_deficit_2015",
        "Acute trusts' deficit, 2015/16",
        -2.6,
        0.6,
        "GBP bn",
        (6,),
        "acute_net_y6",
        "issue 13 ('acute trusts at about -GBP 2.6bn'; R); [KF-TD]: other kinds of trust were "
        "in surplus, nearly three quarters of trusts in deficit were acute hospitals",
        "R",
        "the same as the sector's, over acute trusts only",
    ),
    Target(
        "underlying_2016",
        "Provider sector underlying deficit, 2016/17 (reported GBP -791m after the GBP 1.8bn "
        "Sustainability and Transformation Fund)",
        -2.591,
        0.6,
        "GBP bn",
        (7,),
        "provider_net_y7",
        "[KF-TD] (deficit GBP 791m 'includes GBP 1.8 billion' of STF support); D: -0.791 - 1.8; "
        "[NT-FC2016] put 2015/16's underlying deficit at about GBP 3.7bn",
        "D",
        _MONEY + "; the model has no one-off support fund, so it is set beside the deficit "
        "before the fund",
    ),
    Target(
        "emergency_growth",
        "Emergency admissions growth, 2006/07 to 2017/18",
        3.2,
        0.5,
        "% a year",
        (1, 8),
        "acute_admissions_growth",
        "[HF2018]: 4.25m to 6.02m, +42% over 11 years, 3.2% a year",
        "V",
        "compound annual growth of new acute demand (admissions, not the backlog: the places' "
        "`acute_new`) from model year 1 (2010/11) to year 8 (2017/18), the part of the period "
        "the model runs",
    ),
    Target(
        "acute_share_change",
        "Acute share of spend, change 2011/12 to 2012/13",
        0.4,
        0.3,
        "percentage points",
        (2, 3),
        "acute_share_change_y2_y3",
        "[HSJ2013]: hospital share of PCT spend 50.6% (2011/12) to 51.0% (2012/13)",
        "V",
        "change in the acute line's share of payments (social care excluded, as PCT spend "
        "excluded it) from model year 2 to year 3; the level (0.548 at the start) is set by "
        "the stylised spend shares, not a target",
    ),
    Target(
        "delayed_share",
        "Delays attributed to social care, share of acute bed days, 2016/17",
        1.7,
        0.4,
        "% of acute capacity",
        (7,),
        "delayed_share_y7",
        "[ADASS2017] (195,400 delayed days in December 2016, 128,000 acute; 38.0% attributed "
        "to social care, June 2017), [HSJ-BEDS2017] (103,666 beds, 91.4% occupied); D: "
        "128,000 x 0.38 / 2.88 million = 1.7% (references.md, 'NHS mechanisms')",
        "D",
        "acute capacity taken by delayed discharges (the places' `delayed`, 7.18) over the "
        "acute trusts' capacity, mean over model year 7 (2016/17); the peak of about 197,000 "
        "delayed days a month is the numerator of the derivation, not a separate target",
    ),
)

TARGET_INDEX = {t.name: t for t in TARGETS}
# Fitted on the first and the worst year of the provider sector's finances, admissions growth,
# the creep of the acute share and delays; checked on the years between (2012/13 to 2014/15), the
# year after (2016/17, underlying) and a measure of another kind (acute trusts alone).
DEFAULT_FIT_ON = (
    "surplus_2010",
    "deficit_2015",
    "emergency_growth",
    "acute_share_change",
    "delayed_share",
)
DEFAULT_CHECK_ON = (
    "surplus_2012",
    "deficit_2013",
    "deficit_2014",
    "underlying_2016",
    "acute_deficit_2015",
)

NOT_REPRESENTED = (
    "The one-off support funds of 2016/17 onwards (STF, then PSF) are not in the model: the "
    "model's deficit is set beside the underlying position, before the funds.",
    "Delayed days in days: the model has no beds or days, only the acute capacity in pounds "
    "that delays take; the 197,000 delayed days a month and the 38% attributed to social care "
    "enter through their derived share of acute bed days (1.7%), and every delay in the model "
    "is a social-care delay.",
    "The level of the acute share (50.6%) is set by the stylised spend shares, not by any "
    "parameter that could be fitted; only its change is a target.",
)


def months_needed(targets) -> int:
    """Months a run must last to observe every target (names or `Target`s)."""
    found = [TARGET_INDEX[t] if isinstance(t, str) else t for t in targets]
    return 12 * max(max(t.years) for t in found)
