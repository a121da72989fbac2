"""Colours the viewer draws with: one per relation type, chosen to stay apart perceptually.

``lab`` converts sRGB to CIELAB (D65), ``delta_e`` is the CIE76 distance between two colours in
Lab (about 2.3 is a just-noticeable difference). The unit tests hold every pair of relation colours
at least ``MIN_PAIR_DELTA_E`` apart and every colour ``MIN_BACKGROUND_DELTA_E`` from the page
background; the old palette had FRIEND_OF and RIVAL 7.8 apart (#7d3c98 vs #884ea0).
"""

from __future__ import annotations

import math

BACKGROUND = "#fafafa"
MIN_PAIR_DELTA_E = 25.0
MIN_BACKGROUND_DELTA_E = 30.0

# The vocabulary's ten types first (fixed, so a type has the same colour in every page), then spares
# for other types in order of appearance.
RELATION_COLOURS: dict[str, str] = {
    "COLLEAGUE": "#1f77b4",
    "PATIENT_OF": "#d62728",
    "RIVAL": "#ff7f0e",
    "MENTOR_OF": "#2ca02c",
    "FAMILY_OF": "#9467bd",
    "FRIEND_OF": "#e377c2",
    "CLIENT_OF": "#8c564b",
    "STUDENT_OF": "#17becf",
    "NEIGHBOUR_OF": "#7f7f7f",
    "SUPPLIER_OF": "#bcbd22",
}
SPARE_COLOURS: tuple[str, ...] = ("#393b79", "#637939", "#00a087", "#000000")


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def lab(hex_colour: str) -> tuple[float, float, float]:
    """CIELAB (D65 white) of an sRGB ``#rrggbb`` colour."""
    r, g, b = (_linear(int(hex_colour.lstrip("#")[i : i + 2], 16) / 255) for i in (0, 2, 4))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference of two ``#rrggbb`` colours."""
    return math.dist(lab(a), lab(b))


def relation_colours(types: list[str]) -> dict[str, str]:
    """A colour for each type: the fixed one for vocabulary types, spares for the rest."""
    spares = iter(c for c in SPARE_COLOURS if c not in RELATION_COLOURS.values())
    out: dict[str, str] = {}
    for rel_type in types:
        out[rel_type] = RELATION_COLOURS.get(rel_type) or next(spares, "#555555")
    return out
