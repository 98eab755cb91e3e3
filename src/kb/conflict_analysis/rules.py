"""The safety gate and the bijzondere-curator advice (domain.md §4.1–4.2): rules as data, one pure function.

Every indicator is declared once below, with its strength, the Dutch text a judge reads and the
basis it rests on. No rule looks at a child's age: the Taskforce asks for a curator "ongeacht de
leeftijd", so age may choose the curator's profile but never lowers the advice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from kb.conflict_analysis.certainty import (
    capitalised,
    child_abuse_finding,
    coercive_control_finding,
    partner_violence_finding,
    witnessed_finding,
)
from kb.conflict_analysis.matching import (
    FAILED_OUTCOMES,
    child_age,
    dutch_list,
    match_interventions,
)
from kb.conflict_analysis.schemas import (
    AnalysisBody,
    Child,
    CuratorAdvice,
    Reason,
    Recommendation,
    Safety,
    SafetyResult,
)
from kb.interventions.schemas import Entry
from kb.vocabulary import (
    LETHALITY_LABELS,
    OUTCOME_LABELS,
    TOPIC_LABELS,
    Advice,
    Contraindication,
    Profile,
    SafetyLevel,
    Strength,
)

__all__ = [
    "CURATOR_RULES",
    "SAFETY_SIGNALS",
    "CaseFacts",
    "CuratorRule",
    "SafetySignal",
    "advice_from",
    "curator_advice",
    "evaluate",
    "is_coercive_control",
    "reassess_date",
    "safety_gate",
]

# --- Thresholds -------------------------------------------------------------------------------

MODERATE_TO_APPOINT = 3  # this many moderate indicators weigh as much as one strong one
PROFILE_AGE_LIMIT = 8  # youngest child under this age: a behavioural scientist
REPORT_WEEKS = 12
REASSESS_MONTHS = 3
REASSESS_ACUTE_WEEKS = 4
LONG_PROCEDURE_DAYS = 365
MANY_EARLIER_PROCEDURES = 2

# Joint formats carry these (domain.md §3.4); under acute danger or coercive control they go.
EXCLUDED_WHEN_UNSAFE: tuple[Contraindication, ...] = ("dwingende_controle", "acute_onveiligheid")

# --- Safety actions ---------------------------------------------------------------------------

VEILIG_THUIS_CONTACT = "Neem contact op met Veilig Thuis (0800-2000, gratis, dag en nacht)"
PROTECTION_INVESTIGATION = "Overweeg een beschermingsonderzoek door de Raad"
VEILIG_THUIS_CONSULT = (
    "Raadpleeg Veilig Thuis (0800-2000, gratis, dag en nacht) volgens de meldcode huiselijk "
    "geweld en kindermishandeling"
)
PROTECTION_FIRST = "Eerst bescherming: hulp bij het conflict komt pas als de veiligheid geregeld is"
EXCLUSION_NOTICE = (
    "Aanpakken met de contra-indicatie dwingende controle of acute onveiligheid (zoals mediation, "
    "ouderschapsbemiddeling en gezamenlijke oudergesprekken) zijn uitgesloten van de aanbevolen hulp"
)

Findings = dict[str, str] | None

# --- The safety gate (§4.1) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SafetySignal:
    """One thing on the safety screen that raises the level; `finds` fills the text's blanks."""

    level: Literal["acuut", "zorgen"]
    text: str
    finds: Callable[[Safety], Findings]

    def signal(self, safety: Safety) -> str | None:
        found = self.finds(safety)
        return None if found is None else self.text.format(**found)


def _when(condition: bool, **found: str) -> Findings:
    return found if condition else None


def _found(finding: str | None) -> Findings:
    """A finding of `certainty` as the whole text of a signal."""
    return None if finding is None else {"finding": capitalised(finding)}


def _lethality(safety: Safety) -> Findings:
    labels = [LETHALITY_LABELS[i].lower() for i in safety.lethality_indicators]
    return _when(bool(labels), indicators=dutch_list(labels))


# Partner violence, child abuse and what a child witnessed are worded by how certain they are
# (`certainty`, domain.md §9.4): a suspicion never reads as a fact. Lethality indicators are
# what the screening recorded, and say so.
SAFETY_SIGNALS: tuple[SafetySignal, ...] = (
    SafetySignal("acuut", "Acuut gevaar", lambda s: _when(s.acute_danger)),
    SafetySignal("acuut", "Letaliteitsindicatoren gemeld: {indicators}", _lethality),
    SafetySignal(
        "acuut",
        "{finding}",
        lambda s: _found(child_abuse_finding(s)) if s.child_abuse == "vastgesteld" else None,
    ),
    SafetySignal("zorgen", "{finding}", lambda s: _found(partner_violence_finding(s))),
    SafetySignal(
        "zorgen",
        "{finding}",
        lambda s: _found(child_abuse_finding(s)) if s.child_abuse == "vermoeden" else None,
    ),
    SafetySignal("zorgen", "{finding}", lambda s: _found(witnessed_finding(s))),
    SafetySignal(
        "zorgen",
        "Meldingen bij Veilig Thuis: {count}",
        lambda s: _when(s.veilig_thuis_reports > 0, count=str(s.veilig_thuis_reports)),
    ),
    SafetySignal("zorgen", "De politie was betrokken", lambda s: _when(s.police_involved)),
)


def is_coercive_control(safety: Safety) -> bool:
    """Coercive control as classified, or recorded as one of the behaviourally specific forms.

    A coercive-control form under another classification still counts: excluding mediation
    wrongly costs less than recommending it to a family living under intimate terror.
    """
    return (
        safety.partner_violence == "dwingende_controle"
        or "dwingende_controle" in safety.violence_forms
    )


def safety_gate(safety: Safety) -> SafetyResult:
    """The level, the approaches it excludes and the protective actions, in the order to take them."""
    found = [(s.level, text) for s in SAFETY_SIGNALS if (text := s.signal(safety)) is not None]
    levels = {level for level, _ in found}
    level: SafetyLevel = "acuut" if "acuut" in levels else "zorgen" if levels else "geen"
    unsafe = level == "acuut" or is_coercive_control(safety)
    return SafetyResult(
        level=level,
        excluded_contraindications=list(EXCLUDED_WHEN_UNSAFE) if unsafe else [],
        actions=_safety_actions(level, unsafe),
        signals=[text for _, text in found],
    )


def _safety_actions(level: SafetyLevel, unsafe: bool) -> list[str]:
    actions = []
    if level == "acuut":
        actions += [VEILIG_THUIS_CONTACT, PROTECTION_INVESTIGATION, PROTECTION_FIRST]
    elif level == "zorgen":
        actions.append(VEILIG_THUIS_CONSULT)
    if unsafe:
        actions.append(EXCLUSION_NOTICE)
    return actions


# --- The curator rules (§4.2) -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What a curator rule may look at: the form, the date and the safety gate's verdict."""

    body: AnalysisBody
    today: dt.date
    safety: SafetyResult


@dataclass(frozen=True)
class CuratorRule:
    """One indicator: applies when `finds` returns the values for the blanks in `text`."""

    code: str
    strength: Strength
    text: str
    basis: str
    finds: Callable[[CaseFacts], Findings]

    def reason(self, facts: CaseFacts) -> Reason | None:
        found = self.finds(facts)
        if found is None:
            return None
        return Reason(
            code=self.code, strength=self.strength, text=self.text.format(**found), basis=self.basis
        )


def _children(facts: CaseFacts, test: Callable[[Child], bool]) -> Findings:
    refs = [c.ref for c in facts.body.children if test(c)]
    return _when(bool(refs), children=dutch_list(refs))


def _grounds(grounds: list[str]) -> Findings:
    return _when(bool(grounds), grounds="; ".join(grounds))


def _safety_grounds(facts: CaseFacts) -> Findings:
    safety = facts.body.safety
    grounds = [
        "de veiligheidsscreening is acuut" if facts.safety.level == "acuut" else None,
        child_abuse_finding(safety),
        coercive_control_finding(safety),
        witnessed_finding(safety),
    ]
    found = [g for g in grounds if g]
    if not found:
        return None
    # Only an acute screening or established abuse puts the child's safety at stake as a fact;
    # on suspicions and the investigator's classification alone it may be at stake.
    certain = facts.safety.level == "acuut" or safety.child_abuse == "vastgesteld"
    stake = "is in het geding" if certain else "kan in het geding zijn"
    return {"stake": stake, "grounds": "; ".join(found)}


def _step(facts: CaseFacts, low: int, high: int) -> Findings:
    step = facts.body.conflict.glasl_step
    return _when(low <= step <= high, step=str(step))


def _clear_loyalty_drawn_in(facts: CaseFacts) -> Findings:
    if not facts.body.conflict.child_drawn_in:
        return None
    return _children(facts, lambda c: c.loyalty_conflict == "duidelijk")


def _refusal_not_justified(child: Child) -> bool:
    # A refusal without a recorded reason is unclear until someone has looked into it.
    return any(
        c.status in ("weigering", "verlies") and c.refusal_reason != "gerechtvaardigd"
        for c in child.contact
    )


def _long_procedure(facts: CaseFacts) -> Findings:
    case = facts.body.case
    days = (facts.today - case.procedure_started_on).days
    grounds = []
    if days > LONG_PROCEDURE_DAYS:
        grounds.append(f"de procedure loopt al {days} dagen")
    if case.earlier_procedures >= MANY_EARLIER_PROCEDURES:
        grounds.append(f"{case.earlier_procedures} eerdere procedures")
    return _grounds(grounds)


def _failed_help(facts: CaseFacts) -> Findings:
    failed = [
        f"{t.slug} ({OUTCOME_LABELS[t.outcome].lower()})"
        for t in facts.body.interventions_tried
        if t.outcome in FAILED_OUTCOMES
    ]
    return _when(bool(failed), help=dutch_list(failed))


def _child_signals(facts: CaseFacts) -> Findings:
    # A clear loyalty conflict counts here too: it must never weigh less than a suspected one.
    grounds = []
    for child in facts.body.children:
        if child.loyalty_conflict != "geen":
            grounds.append(f"{child.ref}: loyaliteitsconflict ({child.loyalty_conflict})")
        if child.stress_signals:
            grounds.append(f"{child.ref}: stresssignalen ({', '.join(child.stress_signals)})")
        if child.development_threatened == "mogelijk":
            grounds.append(f"{child.ref}: ontwikkeling mogelijk bedreigd")
    return _grounds(grounds)


def _parent_concerns(facts: CaseFacts) -> Findings:
    grounds = []
    for parent in facts.body.parents:
        if parent.concerns and not parent.accepts_help:
            concerns = ", ".join(c.replace("_", " ") for c in parent.concerns)
            grounds.append(f"ouder {parent.ref} heeft zorgen ({concerns}) en aanvaardt geen hulp")
        if not parent.supports_other_parent:
            grounds.append(f"ouder {parent.ref} steunt de band met de andere ouder niet")
    return _grounds(grounds)


TASKFORCE = (
    "Taskforce 2016: een bijzondere curator wanneer het belang van het kind om veilig en "
    "onbeschadigd op te groeien in het geding is, ongeacht de leeftijd"
)
LOVF = "art. 1:250 BW (LOVF-werkproces)"

CURATOR_RULES: tuple[CuratorRule, ...] = (
    CuratorRule(
        "veiligheid",
        "sterk",
        "De veiligheid van het kind {stake}: {grounds}.",
        f"{TASKFORCE}; Richtlijn Scheiding: meldcode en Veilig Thuis bij vermoeden van geweld",
        _safety_grounds,
    ),
    CuratorRule(
        "ontwikkeling",
        "sterk",
        "De ontwikkeling is bedreigd bij {children}.",
        f"{TASKFORCE}; {LOVF}: belangenstrijd over verzorging en opvoeding",
        lambda f: _children(f, lambda c: c.development_threatened == "ja"),
    ),
    CuratorRule(
        "escalatie",
        "sterk",
        "Glasl-trede {step}: het conflict is in fase 3 (verlies-verlies).",
        f"{LOVF}: de aard van de belangenstrijd; HR 4 februari 2005, "
        "ECLI:NL:HR:2005:AR4850: de ernst van het conflict weegt mee",
        lambda f: _step(f, 7, 9),
    ),
    CuratorRule(
        "klem",
        "sterk",
        "Het kind wordt in het conflict betrokken; duidelijk loyaliteitsconflict bij {children}.",
        f"{LOVF}: de belangen van het kind in strijd met die van de ouders met gezag; "
        "Richtlijn Scheiding: loyaliteitsconflicten",
        _clear_loyalty_drawn_in,
    ),
    CuratorRule(
        "klem",
        "sterk",
        "Contactweigering of contactverlies bij {children}, om een reden die beïnvloed lijkt "
        "of onduidelijk is.",
        "Cafcass CIAF: weigering gerechtvaardigd of beïnvloed",
        lambda f: _children(f, _refusal_not_justified),
    ),
    CuratorRule(
        "verzoek",
        "sterk",
        "Zelf om een eigen vertegenwoordiger gevraagd: {children}.",
        "HR 29 mei 2015, ECLI:NL:HR:2015:1409: een minderjarige kan zelf om een bijzondere "
        "curator vragen, ook jonger dan 12 als het kind zijn belangen redelijk kan beoordelen",
        lambda f: _children(f, lambda c: c.wants_representation),
    ),
    CuratorRule(
        "belang",
        "sterk",
        "De raadsonderzoeker oordeelt dat het belang van het kind om veilig en onbeschadigd op "
        "te groeien in het geding is.",
        TASKFORCE,
        lambda f: _when(f.body.assessment.child_interest_at_stake == "ja"),
    ),
    CuratorRule(
        "escalatie",
        "matig",
        "Glasl-trede {step}: het conflict is in fase 2 (win-verlies).",
        f"{LOVF}: de aard van de belangenstrijd; Cafcass CIAF: schadelijk conflict",
        lambda f: _step(f, 4, 6),
    ),
    CuratorRule(
        "duur",
        "matig",
        "Langdurig procederen: {grounds}.",
        "Taskforce 2016: de procedure begrensd in de tijd, geen eindeloos doorprocederen; "
        "Cafcass CIAF: langdurige en herhaalde procedures",
        _long_procedure,
    ),
    CuratorRule(
        "niet_gehoord",
        "matig",
        "Nog niet gehoord: {children}.",
        "HR 5 december 2014, ECLI:NL:HR:2014:3535: de minderjarige als belanghebbende en zijn "
        "toegang tot de rechter (art. 12 IVRK)",
        lambda f: _children(f, lambda c: not c.heard),
    ),
    CuratorRule(
        "hulp_mislukt",
        "matig",
        "Eerdere hulp hielp niet: {help}.",
        "HR 4 februari 2005, ECLI:NL:HR:2005:AR4850: een curator voor een concreet conflict "
        "waarvoor geen andere oplossing beschikbaar is",
        _failed_help,
    ),
    CuratorRule(
        "signalen",
        "matig",
        "Signalen bij de kinderen: {grounds}.",
        "Richtlijn Scheiding en problemen van jeugdigen: loyaliteitsconflicten en stress als "
        "ernstige gevolgen van een scheiding",
        _child_signals,
    ),
    CuratorRule(
        "ouders",
        "matig",
        "Bij de ouders: {grounds}.",
        "Cafcass CIAF: andere vormen van schadelijk ouderschap (onder meer middelengebruik en "
        "psychisch welzijn van de ouder)",
        _parent_concerns,
    ),
)


def advice_from(reasons: Sequence[Reason]) -> Advice:
    """`benoemen` with a strong or three moderate indicators, `overwegen` with one or two."""
    moderate = sum(1 for r in reasons if r.strength == "matig")
    if any(r.strength == "sterk" for r in reasons) or moderate >= MODERATE_TO_APPOINT:
        return "benoemen"
    return "overwegen" if moderate else "niet_nodig"


def curator_advice(body: AnalysisBody, safety: SafetyResult, today: dt.date) -> CuratorAdvice:
    """The computed advice with every reason, and the final advice after any deviation."""
    facts = CaseFacts(body, today, safety)
    reasons = [r for rule in CURATOR_RULES if (r := rule.reason(facts)) is not None]
    advice = advice_from(reasons)
    deviation = body.assessment.deviation
    final = deviation.advice if deviation else advice
    appoint = final != "niet_nodig"
    return CuratorAdvice(
        advice=advice,
        reasons=reasons,
        profile=_profile(body, today) if appoint else None,
        task=_task(body) if appoint else None,
        report_by=today + dt.timedelta(weeks=REPORT_WEEKS) if appoint else None,
        final_advice=final,
        deviation_reason=deviation.reason if deviation else None,
    )


def _profile(body: AnalysisBody, today: dt.date) -> Profile:
    youngest = min(child_age(c.birth_year, today) for c in body.children)
    threatened = any(c.development_threatened == "ja" for c in body.children)
    return "gedragswetenschapper" if youngest < PROFILE_AGE_LIMIT or threatened else "jurist"


def _task(body: AnalysisBody) -> str:
    """A task limited to the case's own topics, as HR 2005 asks of a tailored appointment."""
    refs = dutch_list([c.ref for c in body.children])
    topics = dutch_list([TOPIC_LABELS[t] for t in body.case.topics])
    children = "de kinderen" if len(body.children) > 1 else "het kind"
    parents = "beide ouders" if len(body.parents) > 1 else "de ouder"
    return (
        f"Vertegenwoordig {refs} in de procedure over {topics}: spreek met {children} en met "
        f"{parents}, breng het belang en de wensen van {refs} op deze onderwerpen in kaart en "
        "adviseer de rechter, gevraagd en ongevraagd."
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def reassess_date(level: SafetyLevel, today: dt.date) -> dt.date:
    """Acute danger is looked at again within weeks; everything else within three months."""
    if level == "acuut":
        return today + dt.timedelta(weeks=REASSESS_ACUTE_WEEKS)
    return _add_months(today, REASSESS_MONTHS)


def evaluate(
    body: AnalysisBody,
    candidates: Sequence[Entry],
    today: dt.date,
    court_arrondissement: str | None,
) -> Recommendation:
    """The recommendation for one analysis: safety first, then the curator, then the help.

    Pure: the knowledge base's candidates (`Catalogue.candidates`), the date and the court's
    arrondissement come in as arguments, so the same body always gives the same recommendation.
    """
    safety = safety_gate(body.safety)
    return Recommendation(
        safety=safety,
        curator=curator_advice(body, safety, today),
        interventions=match_interventions(
            body, safety, candidates, court_arrondissement, today=today
        ),
        reassess_by=reassess_date(safety.level, today),
    )
