"""Dutch wording of the analysis codes, declared once for the form, the report and the change list."""

from __future__ import annotations

from collections.abc import Mapping

from kb.conflict_analysis.schemas import TOPIC_LABELS

__all__ = [
    "ADVICE_LABELS",
    "FIELD_LABELS",
    "OPTIONS",
    "SAFETY_LABELS",
    "STATUS_LABELS",
    "code_label",
]

STATUS_LABELS: Mapping[str, str] = {
    "concept": "Concept",
    "ter_accordering": "Ter accordering",
    "ingediend": "Ingediend",
}

ADVICE_LABELS: Mapping[str, str] = {
    "benoemen": "Benoem een bijzondere curator",
    "overwegen": "Overweeg een bijzondere curator",
    "niet_nodig": "Een bijzondere curator is niet nodig",
}

SAFETY_LABELS: Mapping[str, str] = {
    "acuut": "Acuut onveilig",
    "zorgen": "Zorgen over de veiligheid",
    "geen": "Geen signalen van onveiligheid",
}

# The choices the form offers, in the order it offers them: (code, Dutch label).
OPTIONS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "topics": tuple(TOPIC_LABELS.items()),
    "partner_violence": (
        ("geen", "Geen"),
        ("vermoeden", "Vermoeden"),
        ("situationeel", "Situationeel partnergeweld"),
        ("dwingende_controle", "Dwingende controle (intieme terreur)"),
    ),
    "violence_forms": (
        ("psychisch", "Psychisch geweld"),
        ("dwingende_controle", "Dwingende controle"),
        ("bedreiging", "Bedreiging"),
        ("fysiek", "Fysiek geweld"),
        ("ernstig_fysiek", "Ernstig fysiek geweld"),
        ("seksueel", "Seksueel geweld"),
        ("stalking", "Stalking"),
    ),
    "child_abuse": (
        ("geen", "Geen"),
        ("vermoeden", "Vermoeden"),
        ("vastgesteld", "Vastgesteld"),
    ),
    "lethality_indicators": (
        ("wapen", "Wapen"),
        ("verwurging", "Verwurging"),
        ("doodsbedreiging", "Doodsbedreiging"),
        ("stalking_na_scheiding", "Stalking na de scheiding"),
        ("escalerend_geweld", "Escalerend geweld"),
    ),
    "glasl_step": tuple(
        (str(step), f"Trede {step} ({phase})")
        for step, phase in zip(
            range(1, 10),
            ["win-win"] * 3 + ["win-verlies"] * 3 + ["verlies-verlies"] * 3,
            strict=True,
        )
    ),
    "pattern": (("wederzijds", "Wederzijds"), ("eenzijdig", "Eenzijdig")),
    "communication": (
        ("direct", "Direct met elkaar"),
        ("via_derden", "Via anderen"),
        ("geen", "Geen contact"),
    ),
    "agreements_kept": (("ja", "Ja"), ("deels", "Deels"), ("nee", "Nee")),
    "loyalty_conflict": (("geen", "Geen"), ("vermoed", "Vermoed"), ("duidelijk", "Duidelijk")),
    "development_threatened": (("nee", "Nee"), ("mogelijk", "Mogelijk"), ("ja", "Ja")),
    "contact_status": (
        ("normaal", "Normaal"),
        ("weerstand", "Weerstand"),
        ("weigering", "Weigering"),
        ("verlies", "Contactverlies"),
    ),
    "refusal_reason": (
        ("gerechtvaardigd", "Lijkt gerechtvaardigd"),
        ("beinvloed", "Lijkt beïnvloed"),
        ("onduidelijk", "Onduidelijk"),
    ),
    "concerns": (
        ("psychisch", "Psychische problemen"),
        ("verslaving", "Verslaving"),
        ("persoonlijkheid", "Persoonlijkheidsproblematiek"),
        ("trauma", "Trauma"),
        ("ontkenning_behoeften_kind", "Ontkent de behoeften van het kind"),
    ),
    "outcome": (
        ("afgerond_verbeterd", "Afgerond, verbeterd"),
        ("afgerond_zonder_verbetering", "Afgerond zonder verbetering"),
        ("voortijdig_gestopt", "Voortijdig gestopt"),
        ("geweigerd", "Geweigerd"),
        ("lopend", "Loopt nog"),
    ),
    "factor_kind": (("beschermend", "Beschermend"), ("belemmerend", "Belemmerend")),
    "factor_weight": (("1", "1 (licht)"), ("2", "2 (gemiddeld)"), ("3", "3 (zwaar)")),
    "child_interest_at_stake": (("ja", "Ja"), ("nee", "Nee"), ("twijfel", "Twijfel")),
    "statement_kind": (("feit", "Feit"), ("mening", "Mening")),
    "advice": tuple(ADVICE_LABELS.items()),
}

# Which option list a field's codes come from, where the field name alone does not say it.
_OPTIONS_OF_FIELD = {
    "status": "contact_status",
    "kind": "factor_kind",
    "advice": "advice",
}

# The Dutch name of each field; `*` stands for a child, parent or row.
FIELD_LABELS: Mapping[str, str] = {
    "case": "Zaak en procedure",
    "case.case_number": "zaaknummer",
    "case.court": "rechtbank",
    "case.topics": "onderwerpen",
    "case.procedure_started_on": "begin van de procedure",
    "case.earlier_procedures": "aantal eerdere procedures",
    "case.separated_on": "datum van de scheiding",
    "safety": "Veiligheid",
    "safety.partner_violence": "partnergeweld",
    "safety.violence_forms": "vormen van geweld",
    "safety.child_abuse": "kindermishandeling",
    "safety.child_witnessed_violence": "kind getuige van geweld",
    "safety.veilig_thuis_reports": "meldingen bij Veilig Thuis",
    "safety.police_involved": "politie betrokken",
    "safety.protective_measures": "beschermende maatregelen",
    "safety.lethality_indicators": "letaliteitsindicatoren",
    "safety.acute_danger": "acuut gevaar",
    "conflict": "Conflict",
    "conflict.glasl_step": "Glasl-trede",
    "conflict.pattern": "patroon",
    "conflict.child_drawn_in": "kind in het conflict betrokken",
    "conflict.network_escalates": "netwerk escaleert",
    "conflict.communication": "communicatie",
    "conflict.agreements_kept": "afspraken nagekomen",
    "children": "Kinderen",
    "children.*": "Kind",
    "children.*.ref": "pseudoniem",
    "children.*.birth_year": "geboortejaar",
    "children.*.heard": "gehoord",
    "children.*.heard_by": "gehoord door",
    "children.*.own_words": "eigen woorden",
    "children.*.wants_representation": "vraagt om een eigen vertegenwoordiger",
    "children.*.loyalty_conflict": "loyaliteitsconflict",
    "children.*.stress_signals": "stresssignalen",
    "children.*.development_threatened": "ontwikkeling bedreigd",
    "children.*.contact": "contact met de ouders",
    "children.*.contact.*": "contact met ouder",
    "children.*.contact.*.status": "contact",
    "children.*.contact.*.refusal_reason": "reden van weigering",
    "parents": "Ouders",
    "parents.*": "Ouder",
    "parents.*.has_authority": "gezag",
    "parents.*.concerns": "zorgen",
    "parents.*.accepts_help": "aanvaardt hulp",
    "parents.*.supports_other_parent": "steunt de band met de andere ouder",
    "factors": "Beschermende en belemmerende factoren",
    "factors.*": "Factor",
    "factors.*.kind": "soort",
    "factors.*.text": "omschrijving",
    "factors.*.weight": "gewicht",
    "factors.*.source": "bron",
    "interventions_tried": "Hulpverlening",
    "interventions_tried.*": "Hulp",
    "interventions_tried.*.slug": "interventie",
    "interventions_tried.*.outcome": "uitkomst",
    "assessment": "Afweging",
    "assessment.child_interest_at_stake": "belang van het kind in het geding",
    "assessment.summary": "samenvatting",
    "assessment.statements": "uitspraken",
    "assessment.statements.*": "Uitspraak",
    "assessment.statements.*.text": "tekst",
    "assessment.statements.*.kind": "feit of mening",
    "assessment.statements.*.source": "bron",
    "assessment.statements.*.other_side_responded": "wederhoor",
    "assessment.deviation": "Afwijking van het advies",
    "assessment.deviation.advice": "eigen advies",
    "assessment.deviation.reason": "reden van afwijken",
}


def code_label(field: str, code: object) -> str:
    """The Dutch label of `code` as a value of `field` (`"partner_violence"`, `"vermoeden"`)."""
    if code is None:
        return ""
    if isinstance(code, bool):
        return "ja" if code else "nee"
    group = _OPTIONS_OF_FIELD.get(field, field)
    for value, text in OPTIONS.get(group, ()):
        if value == str(code):
            return text
    return str(code).replace("_", " ")
