"""The Raad's conflict analysis: the form, the safety gate, the curator advice and matched help."""

from kb.conflict_analysis.rules import curator_advice, evaluate, safety_gate
from kb.conflict_analysis.schemas import AnalysisBody, Recommendation

__all__ = ["AnalysisBody", "Recommendation", "curator_advice", "evaluate", "safety_gate"]
