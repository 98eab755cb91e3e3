"""How sure a safety finding is, and how it is worded for it (domain.md §9.4).

A judge reads the report for the line between fact and allegation, so every text that names
partner violence or child abuse says how certain it is. The form knows three degrees:

- `vermoeden`: suspected or alleged (partner violence or child abuse `vermoeden`);
- `oordeel`: the investigator's own classification of the violence (`situationeel`,
  `dwingende_controle`): an opinion, however well founded, and not established;
- `vastgesteld`: established by a court, Veilig Thuis or the police (child abuse only).

Only `vastgesteld` reads as a fact. What the form records without a degree of its own (a violence
form, a child witnessing violence) takes the degree of the partner violence it belongs to, and is
never more certain than that. The safety gate still weighs a suspicion as §4.1 says: this module
changes the words, never the level.
"""

from __future__ import annotations

from typing import Literal

from kb.conflict_analysis.matching import dutch_list
from kb.conflict_analysis.schemas import Safety
from kb.vocabulary import ANALYSIS_CHOICES

__all__ = [
    "CERTAINTY_NOTES",
    "Certainty",
    "capitalised",
    "child_abuse_certainty",
    "child_abuse_finding",
    "coercive_control_finding",
    "partner_violence_certainty",
    "partner_violence_finding",
    "qualified",
    "safety_descriptions",
    "witnessed_finding",
]

Certainty = Literal["vermoeden", "oordeel", "vastgesteld"]

NOT_ESTABLISHED = "niet vastgesteld"
# What a value in the report's tables adds to say how sure it is.
CERTAINTY_NOTES: dict[Certainty, str] = {
    "vermoeden": f"vermoeden, {NOT_ESTABLISHED}",
    "oordeel": f"oordeel van de raadsonderzoeker, {NOT_ESTABLISHED}",
    "vastgesteld": "vastgesteld door rechter, Veilig Thuis of politie",
}

# The investigator's classification of the violence, as a judge reads it after "getypeerd als".
_CLASSIFIED_AS = {
    "situationeel": "situationeel geweld",
    "dwingende_controle": "dwingende controle (intieme terreur)",
}


def partner_violence_certainty(safety: Safety) -> Certainty | None:
    """None without partner violence; a suspicion, or else the investigator's classification."""
    if safety.partner_violence == "geen":
        return None
    return "vermoeden" if safety.partner_violence == "vermoeden" else "oordeel"


def child_abuse_certainty(safety: Safety) -> Certainty | None:
    if safety.child_abuse == "geen":
        return None
    return "vermoeden" if safety.child_abuse == "vermoeden" else "vastgesteld"


def qualified(what: str, certainty: Certainty) -> str:
    """`what` in words that keep an allegation an allegation (lower case, for inside a sentence).

    >>> qualified("dwingende controle", "vermoeden")
    'vermoeden van dwingende controle'
    >>> qualified("situationeel partnergeweld", "oordeel")
    'situationeel partnergeweld — oordeel van de raadsonderzoeker, niet vastgesteld'
    """
    if certainty == "vermoeden":
        return f"vermoeden van {what}"
    if certainty == "oordeel":
        return f"{what} — {CERTAINTY_NOTES['oordeel']}"
    return f"{what} is vastgesteld"


def _forms(safety: Safety) -> str:
    labels = ANALYSIS_CHOICES["violence_forms"]
    return dutch_list([labels[f].lower() for f in safety.violence_forms])


def partner_violence_finding(safety: Safety) -> str | None:
    """The partner violence with its forms and how sure it is; None without any."""
    certainty = partner_violence_certainty(safety)
    if certainty is None:
        return None
    what = "partnergeweld"
    if certainty == "oordeel":
        what += f" getypeerd als {_CLASSIFIED_AS[safety.partner_violence]}"
    if safety.violence_forms:
        what += f"{',' if certainty == 'oordeel' else ''} in de vorm van {_forms(safety)}"
    return qualified(what, certainty)


def coercive_control_finding(safety: Safety) -> str | None:
    """Coercive control, classified as such or recorded as one of the violence's forms."""
    certainty = partner_violence_certainty(safety)
    if certainty is None:
        return None
    if safety.partner_violence == "dwingende_controle":
        return qualified(_CLASSIFIED_AS["dwingende_controle"], certainty)
    if "dwingende_controle" in safety.violence_forms:
        return qualified("dwingende controle", certainty)
    return None


def child_abuse_finding(safety: Safety) -> str | None:
    certainty = child_abuse_certainty(safety)
    return None if certainty is None else qualified("kindermishandeling", certainty)


def witnessed_finding(safety: Safety) -> str | None:
    # The form records no source for what a child saw: reported, never established here.
    if not safety.child_witnessed_violence:
        return None
    return "een kind zou getuige zijn geweest van geweld"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _noted(value: str, note: str) -> str:
    return f"{value} — {note}"


def safety_descriptions(safety: Safety) -> dict[str, str]:
    """The values of the findings that carry a degree of certainty, as the report's tables show
    them, by field name: the details of section 2 and "what changed" read the same words."""
    pv = partner_violence_certainty(safety)
    labels = ANALYSIS_CHOICES["partner_violence"]
    if pv is None:
        partner_violence = labels["geen"]
    elif pv == "vermoeden":
        partner_violence = _noted(labels["vermoeden"], NOT_ESTABLISHED)
    else:
        partner_violence = _noted(labels[safety.partner_violence], CERTAINTY_NOTES[pv])
    forms = "—"
    if safety.violence_forms and pv is not None:
        forms = _noted(capitalised(_forms(safety)), CERTAINTY_NOTES[pv])
    abuse = {
        "geen": "Geen",
        "vermoeden": _noted("Vermoeden", NOT_ESTABLISHED),
        "vastgesteld": capitalised(CERTAINTY_NOTES["vastgesteld"]),
    }[safety.child_abuse]
    witnessed = _noted("ja", NOT_ESTABLISHED) if safety.child_witnessed_violence else "nee"
    return {
        "partner_violence": partner_violence,
        "violence_forms": forms,
        "child_abuse": abuse,
        "child_witnessed_violence": witnessed,
    }
