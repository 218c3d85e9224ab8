"""The app's colours, checked for colour blindness and greyscale (no user-interface code).

Panel A and panel B differ by colour, by lightness (so they stay apart in greyscale and on a
black-and-white printer) and by marker (circles for A, squares for B). The kinds of organisation
use the Okabe-Ito palette (Okabe & Ito 2008), chosen to stay distinct under the common forms of
colour blindness. `delta_e` (CIEDE2000), `simulate` (Machado, Oliveira & Fernandes 2009, full
severity) and `lightness` let the tests check both claims.
"""

from __future__ import annotations

import numpy as np

# Panel A: vermillion; panel B: dark blue. Lightness 54 against 29 (CIELAB L*).
SIDE_COLOURS = {"left": "#d55e00", "right": "#1b3a8c"}
SIDE_MARKERS = {"left": "o", "right": "s"}
SIDE_MARK_EVERY = 0.08  # a marker every 8% of the line's length on the axes
KIND_COLOURS = {
    "acute": "#d55e00",
    "community": "#009e73",
    "mental_health": "#cc79a7",
    "primary_care": "#e69f00",
    "ambulance": "#000000",
    "social_care": "#56b4e9",
    "participant": "#0072b2",
}

# Linear-RGB matrices of dichromacy (Machado et al. 2009, severity 1).
CVD = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour: str) -> np.ndarray:
    """A '#rrggbb' colour as linear RGB in [0, 1]."""
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB colour."""
    t = (_XYZ @ np.clip(rgb, 0, 1)) / _WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(colour: str, kind: str | None) -> np.ndarray:
    """Linear RGB of `colour` as seen with a form of colour blindness (None: as it is)."""
    rgb = linear_rgb(colour)
    return rgb if kind is None else np.clip(CVD[kind] @ rgb, 0, 1)


def lightness(colour: str) -> float:
    """CIELAB L* (0 black .. 100 white): what is left of a colour in greyscale."""
    return float(lab(linear_rgb(colour))[0])


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a colour against a white background (3 needed for graphics)."""
    y = float(_XYZ[1] @ linear_rgb(colour))
    return 1.05 / (y + 0.05)


def delta_e(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference of two CIELAB colours (about 2: just noticeable)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(dh) > 180:
        dh -= 360 * np.sign(dh)
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    hbp = h1p + h2p
    if c1p * c2p != 0:
        hbp = (h1p + h2p + 360) / 2 if abs(h1p - h2p) > 180 else (h1p + h2p) / 2
        hbp -= 360 * (hbp >= 360)
    t = 1 - 0.17 * np.cos(np.radians(hbp - 30)) + 0.24 * np.cos(np.radians(2 * hbp))
    t += 0.32 * np.cos(np.radians(3 * hbp + 6)) - 0.20 * np.cos(np.radians(4 * hbp - 63))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = (
        -2
        * np.sqrt(cbp**7 / (cbp**7 + 25**7))
        * np.sin(np.radians(60 * np.exp(-(((hbp - 275) / 25) ** 2))))
    )
    return float(
        np.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh))
    )


def difference(colour1: str, colour2: str, kind: str | None = None) -> float:
    """CIEDE2000 between two colours as seen with `kind` of colour blindness (None: normal)."""
    return delta_e(lab(simulate(colour1, kind)), lab(simulate(colour2, kind)))


def worst_difference(colours: dict[str, str]) -> tuple[float, str, str, str]:
    """The smallest difference between any two colours under normal vision and every form of
    colour blindness: (delta E, first, second, vision)."""
    names = list(colours)
    worst = (float("inf"), "", "", "")
    for kind in (None, *CVD):
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                d = difference(colours[a], colours[b], kind)
                if d < worst[0]:
                    worst = (d, a, b, kind or "normal")
    return worst
