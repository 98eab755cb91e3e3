"""Plain-Dutch (B1) texts for parents: the guide's answers, access routes and places (data only)."""

from __future__ import annotations

__all__ = [
    "COMMUNICATION_OPTIONS",
    "PROVINCES",
    "ROUTE_FOR_PARENTS",
    "SAFETY_OPTIONS",
]

# The guide's second question. Each answer describes one of Glasl's three main phases in the
# words parents use: still talking and agreeing (win-win), hardened with quarrels and broken
# agreements (win-lose), or no talking any more except through others (lose-lose).
COMMUNICATION_OPTIONS: dict[str, str] = {
    "rustig": "Meestal rustig. We kunnen samen afspraken maken.",
    "moeizaam": "Moeizaam. We maken vaak ruzie of houden ons niet aan afspraken.",
    "geen_contact": (
        "We praten bijna niet meer met elkaar, of alleen via anderen, zoals een advocaat."
    ),
}

# The guide's third question. Every answer except "nee" counts as a sign of unsafety.
SAFETY_OPTIONS: dict[str, str] = {
    "nee": "Nee",
    "twijfel": "Ik weet het niet zeker",
    "ja": "Ja",
    "nu_gevaar": "Ja, en er is nu gevaar",
}

# How one gets the help, said so that a parent knows what to do next.
ROUTE_FOR_PARENTS: dict[str, str] = {
    "vrij_toegankelijk": "U kunt er zelf naartoe. U heeft geen verwijzing nodig.",
    "via_wijkteam": "Vraag ernaar bij het wijkteam of bij de gemeente. Zij regelen het.",
    "uniform_hulpaanbod": (
        "De rechter kan u tijdens de zitting vragen om deze hulp. De gemeente regelt het dan."
    ),
    "gedwongen_kader": (
        "Alleen als de kinderrechter een maatregel heeft opgelegd, zoals een ondertoezichtstelling."
    ),
    "rechtspraak": "Dit gaat via de rechtbank.",
}

PROVINCES: tuple[str, ...] = (
    "Drenthe",
    "Flevoland",
    "Fryslân",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
)
