"""The Raad's conflict analysis: the form, the safety gate, the curator advice and matched help."""

from kb.conflict_analysis.matching import (
    CandidateEntry,
    arrondissement_of_court,
    glasl_phase,
    match_interventions,
)
from kb.conflict_analysis.rules import curator_advice, evaluate, safety_gate
from kb.conflict_analysis.schemas import (
    COURT_ARRONDISSEMENTS,
    AnalysisBody,
    CuratorAdvice,
    MatchedIntervention,
    Reason,
    Recommendation,
    SafetyResult,
    dutch_errors,
    unknown_intervention_slugs,
)

__all__ = [
    "COURT_ARRONDISSEMENTS",
    "AnalysisBody",
    "CandidateEntry",
    "CuratorAdvice",
    "MatchedIntervention",
    "Reason",
    "Recommendation",
    "SafetyResult",
    "arrondissement_of_court",
    "curator_advice",
    "dutch_errors",
    "evaluate",
    "glasl_phase",
    "match_interventions",
    "safety_gate",
    "unknown_intervention_slugs",
]
