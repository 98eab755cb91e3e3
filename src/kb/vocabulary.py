"""Every code the application speaks and its Dutch wording, declared once (data only).

A code list is a `Literal` type; its tuple of codes comes from that type (`codes`), and its
Dutch labels are checked against it when this module is imported (`labelled`): a label for a
code that does not exist, or a code without a label, fails at start-up rather than showing a
raw code to a judge. Schemas, services, pages and templates all read these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, get_args

__all__ = [
    "ADVICE_LABELS",
    "ANALYSIS_CHOICES",
    "ANALYSIS_STATUS_LABELS",
    "ARRONDISSEMENTS",
    "AUDIENCES",
    "CONTRAINDICATIONS",
    "COURTS",
    "COURT_ARRONDISSEMENTS",
    "ENTRY_FIELD_LABELS",
    "EVIDENCE_EXPLANATIONS",
    "EVIDENCE_LABELS",
    "FLAGS",
    "FORMATS",
    "GLASL_PHASE_NAMES",
    "GUIDE_COMMUNICATION",
    "GUIDE_SAFETY",
    "JOINT_FORMAT_CONTRAINDICATIONS",
    "KINDS",
    "LABELS",
    "PROPOSAL_STATUSES",
    "PROPOSAL_STATUS_LABELS",
    "PROVINCES",
    "RATING_STATE_LABELS",
    "RECOGNITION_SCHEMES",
    "REVISION_KINDS",
    "REVISION_KIND_LABELS",
    "ROLES",
    "ROLE_LABELS",
    "ROUTES",
    "ROUTE_FOR_PARENTS",
    "SAFETY_LEVEL_LABELS",
    "STATUSES",
    "WARNING_FLAGS",
    "codes",
    "glasl_phase",
    "labelled",
]


def codes(literal: Any) -> tuple[str, ...]:
    """The codes of a `Literal` type, in their declared order."""
    return tuple(str(code) for code in get_args(literal))


def labelled(literal: Any, labels: Mapping[str, str]) -> Mapping[str, str]:
    """`labels` in the order of `literal`'s codes, once it is certain every code has one label."""
    expected = codes(literal)
    if set(labels) != set(expected):
        missing = sorted(set(expected) - set(labels))
        unknown = sorted(set(labels) - set(expected))
        raise ValueError(
            f"labels out of step with their codes: missing {missing}, unknown {unknown}"
        )
    return MappingProxyType({code: labels[code] for code in expected})


# --- Places ---------------------------------------------------------------------------------

Arrondissement = Literal[
    "Amsterdam",
    "Den Haag",
    "Gelderland",
    "Limburg",
    "Midden-Nederland",
    "Noord-Holland",
    "Noord-Nederland",
    "Oost-Brabant",
    "Overijssel",
    "Rotterdam",
    "Zeeland-West-Brabant",
]
ARRONDISSEMENTS = codes(Arrondissement)
# Every rechtbank carries the name of its arrondissement, so the courts follow from that list.
COURT_ARRONDISSEMENTS: Mapping[str, str] = MappingProxyType(
    {f"Rechtbank {name}": name for name in ARRONDISSEMENTS}
)
COURTS: tuple[str, ...] = tuple(COURT_ARRONDISSEMENTS)
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

# --- Roles ----------------------------------------------------------------------------------

Role = Literal[
    "rechter",
    "raadsonderzoeker",
    "gedragsdeskundige",
    "loketmedewerker",
    "redacteur",
    "beheerder",
]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_LABELS = labelled(
    Role,
    {
        "rechter": "Rechter",
        "raadsonderzoeker": "Raadsonderzoeker",
        "gedragsdeskundige": "Gedragsdeskundige",
        "loketmedewerker": "Loketmedewerker",
        "redacteur": "Redacteur",
        "beheerder": "Beheerder",
    },
)

# --- The knowledge base (domain.md §3) ---------------------------------------------------------

Kind = Literal["interventie", "pilot", "richtlijn", "instrument", "voorziening", "werkwijze"]
KINDS = codes(Kind)
KIND_LABELS = labelled(
    Kind,
    {
        "interventie": "Interventie",
        "pilot": "Pilot of proeftuin",
        "richtlijn": "Richtlijn",
        "instrument": "Instrument",
        "voorziening": "Voorziening",
        "werkwijze": "Werkwijze",
    },
)
KIND_PLURALS = labelled(
    Kind,
    {
        "interventie": "Interventies",
        "pilot": "Pilots en proeftuinen",
        "richtlijn": "Richtlijnen",
        "instrument": "Instrumenten",
        "voorziening": "Voorzieningen",
        "werkwijze": "Werkwijzen",
    },
)

Status = Literal["actief", "lopend", "afgerond", "gestopt"]
STATUSES = codes(Status)
STATUS_LABELS = labelled(
    Status,
    {"actief": "Actief", "lopend": "Loopt nog", "afgerond": "Afgerond", "gestopt": "Gestopt"},
)

Audience = Literal["kind", "ouders", "ouderpaar", "gezin", "netwerk", "professional"]
AUDIENCES = codes(Audience)
AUDIENCE_LABELS = labelled(
    Audience,
    {
        "kind": "Kinderen",
        "ouders": "Ouders",
        "ouderpaar": "Beide ouders samen",
        "gezin": "Het hele gezin",
        "netwerk": "Netwerk rond het gezin",
        "professional": "Professionals",
    },
)

DivorceStage = Literal["overweging", "procedure", "na_scheiding"]
DIVORCE_STAGE_LABELS = labelled(
    DivorceStage,
    {
        "overweging": "Vóór de scheiding (ouders overwegen te scheiden)",
        "procedure": "Tijdens de scheidingsprocedure",
        "na_scheiding": "Na de scheiding",
    },
)

Format = Literal[
    "groep",
    "individueel",
    "gezin",
    "online",
    "ouder_kind_parallel",
    "gesprekken",
    "netwerkberaad",
    "procedure",
    "informatie",
    "inloop",
]
FORMATS = codes(Format)
FORMAT_LABELS = labelled(
    Format,
    {
        "groep": "Groep",
        "individueel": "Individueel",
        "gezin": "Met het gezin",
        "online": "Online",
        "ouder_kind_parallel": "Ouders en kinderen in parallelle groepen",
        "gesprekken": "Gesprekken",
        "netwerkberaad": "Netwerkberaad",
        "procedure": "Juridische procedure",
        "informatie": "Informatie en voorlichting",
        "inloop": "Inloopspreekuur",
    },
)

Route = Literal[
    "vrij_toegankelijk", "via_wijkteam", "uniform_hulpaanbod", "gedwongen_kader", "rechtspraak"
]
ROUTES = codes(Route)
ROUTE_LABELS = labelled(
    Route,
    {
        "vrij_toegankelijk": "Vrij toegankelijk",
        "via_wijkteam": "Via het wijkteam of de gemeente",
        "uniform_hulpaanbod": "Uniform Hulpaanbod (verwijzing bij de zitting)",
        "gedwongen_kader": "Gedwongen kader (OTS, gecertificeerde instelling)",
        "rechtspraak": "Via de rechtspraak",
    },
)
# How one gets the help, said so that a parent knows what to do next (language level B1).
ROUTE_FOR_PARENTS = labelled(
    Route,
    {
        "vrij_toegankelijk": "U kunt er zelf naartoe. U heeft geen verwijzing nodig.",
        "via_wijkteam": "Vraag ernaar bij het wijkteam of bij de gemeente. Zij regelen het.",
        "uniform_hulpaanbod": (
            "De rechter kan u tijdens de zitting vragen om deze hulp. De gemeente regelt het dan."
        ),
        "gedwongen_kader": (
            "Alleen als de kinderrechter een maatregel heeft opgelegd, zoals een "
            "ondertoezichtstelling."
        ),
        "rechtspraak": "Dit gaat via de rechtbank.",
    },
)

Contraindication = Literal[
    "dwingende_controle",
    "huiselijk_geweld",
    "acute_onveiligheid",
    "kindermishandeling",
    "ernstige_psychiatrie",
    "verslaving",
]
CONTRAINDICATIONS = codes(Contraindication)
CONTRAINDICATION_LABELS = labelled(
    Contraindication,
    {
        "dwingende_controle": "dwingende controle (intieme terreur)",
        "huiselijk_geweld": "huiselijk geweld",
        "acute_onveiligheid": "acute onveiligheid",
        "kindermishandeling": "kindermishandeling",
        "ernstige_psychiatrie": "ernstige psychiatrische problematiek",
        "verslaving": "verslaving",
    },
)

Scheme = Literal[
    "nji",
    "movisie",
    "trimbos",
    "loket_gezond_leven",
    "justitieel",
    "cebc",
    "blueprints",
    "eif",
    "title_iv_e",
    "crimesolutions",
    "richtlijn",
]
SCHEME_LABELS = labelled(
    Scheme,
    {
        "nji": "NJi Databank Effectieve Jeugdinterventies",
        "movisie": "Movisie Databank Effectieve sociale interventies",
        "trimbos": "Trimbos-instituut",
        "loket_gezond_leven": "Loket Gezond Leven (RIVM)",
        "justitieel": "Erkenningscommissie Justitiële Interventies",
        "cebc": "CEBC (Californië, VS)",
        "blueprints": "Blueprints (VS)",
        "eif": "Early Intervention Foundation (VK)",
        "title_iv_e": "Title IV-E Prevention Services Clearinghouse (VS)",
        "crimesolutions": "CrimeSolutions (VS)",
        "richtlijn": "Richtlijn (tekst van een Nederlandse richtlijn)",
    },
)

# Schemes whose judgment is a recognition by a Dutch committee, published in a register with a
# date: such a rating needs its date and its register page, and it holds for a fixed term.
RECOGNITION_SCHEMES: frozenset[Scheme] = frozenset(
    {"nji", "movisie", "trimbos", "loket_gezond_leven", "justitieel"}
)

# Where a rating stands on a given day (the content report and the entry page).
RatingState = Literal["geldig", "verlopen", "betwist", "zonder_datum", "vervangen"]
RATING_STATE_LABELS = labelled(
    RatingState,
    {
        "geldig": "geldig",
        "verlopen": "verlopen",
        "betwist": "bronnen spreken elkaar tegen",
        "zonder_datum": "zonder datum",
        "vervangen": "vervangen door een nieuwer oordeel",
    },
)

# What one revision of an entry did (its history and the change feed).
RevisionKind = Literal["nieuw", "gewijzigd", "verlopen", "verwijderd"]
REVISION_KINDS = codes(RevisionKind)
REVISION_KIND_LABELS = labelled(
    RevisionKind,
    {
        "nieuw": "Nieuw",
        "gewijzigd": "Gewijzigd",
        "verlopen": "Erkenning verlopen",
        "verwijderd": "Verwijderd",
    },
)

Flag = Literal["onder_voorbehoud", "niet_erkend", "geen_effect", "schadelijk"]
FLAGS = codes(Flag)
FLAG_LABELS = labelled(
    Flag,
    {
        "onder_voorbehoud": "Onder voorbehoud",
        "niet_erkend": "Niet erkend",
        "geen_effect": "Geen effect gevonden",
        "schadelijk": "Schadelijk",
    },
)
FLAG_EXPLANATIONS = labelled(
    Flag,
    {
        "onder_voorbehoud": (
            "De beoordeling is voorlopig: de commissie heeft haar oordeel onder voorbehoud gegeven."
        ),
        "niet_erkend": (
            "Een erkenningscommissie heeft deze aanpak niet erkend; de reden staat bij de "
            "beoordeling."
        ),
        "geen_effect": (
            "Onderzoek vond dat deze aanpak niet bereikt wat hij wil bereiken: er is geen effect "
            "aangetoond."
        ),
        "schadelijk": (
            "Onderzoek vond dat deze aanpak schade kan doen of averechts werkt: het kan kinderen "
            "of ouders slechter gaan dan zonder deze aanpak."
        ),
    },
)
# The two flags the Taskforce wants shown loudly, never hidden (domain.md §3.3), worst first.
WARNING_FLAGS: tuple[Flag, ...] = ("schadelijk", "geen_effect")

EvaluationStatus = Literal["geen", "lopend", "afgerond"]
EVALUATION_STATUS_LABELS = labelled(
    EvaluationStatus,
    {
        "geen": "Er is geen evaluatie",
        "lopend": "De evaluatie loopt",
        "afgerond": "De evaluatie is afgerond",
    },
)

# The normalised evidence level users see first (domain.md §3.3), its label and what it means.
EVIDENCE_LABELS: Mapping[int, str] = MappingProxyType(
    {
        0: "niet beoordeeld",
        1: "goed beschreven",
        2: "goed onderbouwd",
        3: "effectief — eerste aanwijzingen",
        4: "effectief — goede aanwijzingen",
        5: "effectief — sterke aanwijzingen",
    }
)
EVIDENCE_EXPLANATIONS: Mapping[int, str] = MappingProxyType(
    {
        0: (
            "Er is geen erkende beoordeling van deze aanpak bekend; dat geldt ook voor pilots die "
            "nog lopen."
        ),
        1: (
            "Doel, doelgroep, aanpak en voorwaarden zijn degelijk beschreven, maar er is nog niet "
            "onderbouwd waarom de aanpak zou werken."
        ),
        2: (
            "De aanpak is goed beschreven en er is een aannemelijke theorie waarom hij werkt, "
            "maar effectonderzoek ontbreekt nog."
        ),
        3: "Onderzoek naar de effecten geeft eerste aanwijzingen dat de aanpak werkt.",
        4: "Gecontroleerd onderzoek ondersteunt dat de aanpak zelf het gevonden effect veroorzaakt.",
        5: (
            "Meerdere gecontroleerde onderzoeken en/of blijvende effecten laten sterk zien dat de "
            "aanpak werkt."
        ),
    }
)

# Glasl's three main phases; a step 1–9 belongs to phase (step - 1) // 3 + 1.
GLASL_PHASE_NAMES: Mapping[int, str] = MappingProxyType(
    {1: "win-win", 2: "win-verlies", 3: "verlies-verlies"}
)


def glasl_phase(step: int) -> int:
    """Glasl's main phase of a step: 1–3 → 1, 4–6 → 2, 7–9 → 3."""
    return (step - 1) // 3 + 1


# Facet values arrive as strings from the search engines, so the phases are keyed by text.
GLASL_PHASE_LABELS: Mapping[str, str] = MappingProxyType(
    {str(phase): f"fase {phase} ({name})" for phase, name in GLASL_PHASE_NAMES.items()}
)

FACET_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "kind": "Soort",
        "status": "Status",
        "evidence_level": "Bewijsniveau",
        "audience": "Voor wie",
        "route": "Toegang",
        "format": "Vorm",
        "glasl_phase": "Conflictfase (Glasl)",
        "arrondissement": "Arrondissement",
    }
)
# Headings of the search parameters, for the "active filters" list and error messages.
FILTER_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "q": "Zoekterm",
        "kind": "Soort",
        "status": "Status",
        "audience": "Voor wie",
        "age": "Leeftijd kind",
        "glasl_phase": "Conflictfase",
        "route": "Toegang",
        "format": "Vorm",
        "evidence_min": "Bewijsniveau minimaal",
        "municipality": "Gemeente",
        "arrondissement": "Arrondissement",
        "contraindication_free": "Zonder contra-indicatie",
        "page": "Pagina",
        "per_page": "Resultaten per pagina",
    }
)

# --- The conflict analysis (domain.md §4) ------------------------------------------------------

AnalysisStatus = Literal["concept", "ter_accordering", "ingediend"]
ANALYSIS_STATUS_LABELS = labelled(
    AnalysisStatus,
    {"concept": "Concept", "ter_accordering": "Ter accordering", "ingediend": "Ingediend"},
)

Topic = Literal[
    "gezag",
    "hoofdverblijf",
    "zorgregeling",
    "omgang",
    "verhuizing",
    "informatie_en_consultatie",
    "alimentatie",
    "ouderschapsplan",
]
TOPIC_LABELS = labelled(
    Topic,
    {
        "gezag": "gezag",
        "hoofdverblijf": "hoofdverblijf",
        "zorgregeling": "zorgregeling",
        "omgang": "omgang",
        "verhuizing": "verhuizing",
        "informatie_en_consultatie": "informatie en consultatie",
        "alimentatie": "alimentatie",
        "ouderschapsplan": "ouderschapsplan",
    },
)
PartnerViolence = Literal["geen", "vermoeden", "situationeel", "dwingende_controle"]
ViolenceForm = Literal[
    "psychisch",
    "dwingende_controle",
    "bedreiging",
    "fysiek",
    "ernstig_fysiek",
    "seksueel",
    "stalking",
]
ChildAbuse = Literal["geen", "vermoeden", "vastgesteld"]
LethalityIndicator = Literal[
    "wapen", "verwurging", "doodsbedreiging", "stalking_na_scheiding", "escalerend_geweld"
]
Pattern = Literal["wederzijds", "eenzijdig"]
Communication = Literal["direct", "via_derden", "geen"]
AgreementsKept = Literal["ja", "deels", "nee"]
LoyaltyConflict = Literal["geen", "vermoed", "duidelijk"]
DevelopmentThreatened = Literal["nee", "mogelijk", "ja"]
ParentRef = Literal["A", "B"]
PARENT_REFS = codes(ParentRef)
ContactStatus = Literal["normaal", "weerstand", "weigering", "verlies"]
RefusalReason = Literal["gerechtvaardigd", "beinvloed", "onduidelijk"]
Concern = Literal[
    "psychisch", "verslaving", "persoonlijkheid", "trauma", "ontkenning_behoeften_kind"
]
Outcome = Literal[
    "afgerond_verbeterd", "afgerond_zonder_verbetering", "voortijdig_gestopt", "geweigerd", "lopend"
]
ChildInterest = Literal["ja", "nee", "twijfel"]
FactorKind = Literal["beschermend", "belemmerend"]
StatementKind = Literal["feit", "mening"]
Advice = Literal["benoemen", "overwegen", "niet_nodig"]
SafetyLevel = Literal["acuut", "zorgen", "geen"]
Strength = Literal["sterk", "matig"]
Profile = Literal["gedragswetenschapper", "jurist"]

ADVICE_LABELS = labelled(
    Advice,
    {
        "benoemen": "Benoem een bijzondere curator",
        "overwegen": "Overweeg een bijzondere curator",
        "niet_nodig": "Een bijzondere curator is niet nodig",
    },
)
SAFETY_LEVEL_LABELS = labelled(
    SafetyLevel,
    {
        "acuut": "Acuut onveilig",
        "zorgen": "Zorgen over de veiligheid",
        "geen": "Geen signalen van onveiligheid",
    },
)
PROFILE_LABELS = labelled(
    Profile, {"gedragswetenschapper": "gedragswetenschapper", "jurist": "jurist"}
)
OUTCOME_LABELS = labelled(
    Outcome,
    {
        "afgerond_verbeterd": "Afgerond, verbeterd",
        "afgerond_zonder_verbetering": "Afgerond zonder verbetering",
        "voortijdig_gestopt": "Voortijdig gestopt",
        "geweigerd": "Geweigerd",
        "lopend": "Loopt nog",
    },
)
LETHALITY_LABELS = labelled(
    LethalityIndicator,
    {
        "wapen": "Wapen",
        "verwurging": "Verwurging",
        "doodsbedreiging": "Doodsbedreiging",
        "stalking_na_scheiding": "Stalking na de scheiding",
        "escalerend_geweld": "Escalerend geweld",
    },
)
_YES_NO_DOUBT = {"ja": "Ja", "nee": "Nee"}

# The choices the form offers, by the name the form and the report use, in the order offered.
ANALYSIS_CHOICES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "topics": TOPIC_LABELS,
        "partner_violence": labelled(
            PartnerViolence,
            {
                "geen": "Geen",
                "vermoeden": "Vermoeden",
                "situationeel": "Situationeel partnergeweld",
                "dwingende_controle": "Dwingende controle (intieme terreur)",
            },
        ),
        "violence_forms": labelled(
            ViolenceForm,
            {
                "psychisch": "Psychisch geweld",
                "dwingende_controle": "Dwingende controle",
                "bedreiging": "Bedreiging",
                "fysiek": "Fysiek geweld",
                "ernstig_fysiek": "Ernstig fysiek geweld",
                "seksueel": "Seksueel geweld",
                "stalking": "Stalking",
            },
        ),
        "child_abuse": labelled(
            ChildAbuse, {"geen": "Geen", "vermoeden": "Vermoeden", "vastgesteld": "Vastgesteld"}
        ),
        "lethality_indicators": LETHALITY_LABELS,
        "glasl_step": MappingProxyType(
            {
                str(step): f"Trede {step} ({GLASL_PHASE_NAMES[glasl_phase(step)]})"
                for step in range(1, 10)
            }
        ),
        "pattern": labelled(Pattern, {"wederzijds": "Wederzijds", "eenzijdig": "Eenzijdig"}),
        "communication": labelled(
            Communication,
            {"direct": "Direct met elkaar", "via_derden": "Via anderen", "geen": "Geen contact"},
        ),
        "agreements_kept": labelled(AgreementsKept, {**_YES_NO_DOUBT, "deels": "Deels"}),
        "loyalty_conflict": labelled(
            LoyaltyConflict, {"geen": "Geen", "vermoed": "Vermoed", "duidelijk": "Duidelijk"}
        ),
        "development_threatened": labelled(
            DevelopmentThreatened, {**_YES_NO_DOUBT, "mogelijk": "Mogelijk"}
        ),
        "contact_status": labelled(
            ContactStatus,
            {
                "normaal": "Normaal",
                "weerstand": "Weerstand",
                "weigering": "Weigering",
                "verlies": "Contactverlies",
            },
        ),
        "refusal_reason": labelled(
            RefusalReason,
            {
                "gerechtvaardigd": "Lijkt gerechtvaardigd",
                "beinvloed": "Lijkt beïnvloed",
                "onduidelijk": "Onduidelijk",
            },
        ),
        "concerns": labelled(
            Concern,
            {
                "psychisch": "Psychische problemen",
                "verslaving": "Verslaving",
                "persoonlijkheid": "Persoonlijkheidsproblematiek",
                "trauma": "Trauma",
                "ontkenning_behoeften_kind": "Ontkent de behoeften van het kind",
            },
        ),
        "outcome": OUTCOME_LABELS,
        "factor_kind": labelled(
            FactorKind, {"beschermend": "Beschermend", "belemmerend": "Belemmerend"}
        ),
        "factor_weight": MappingProxyType(
            {"1": "1 (licht)", "2": "2 (gemiddeld)", "3": "3 (zwaar)"}
        ),
        "child_interest_at_stake": labelled(ChildInterest, {**_YES_NO_DOUBT, "twijfel": "Twijfel"}),
        "statement_kind": labelled(StatementKind, {"feit": "Feit", "mening": "Mening"}),
        "advice": ADVICE_LABELS,
        "profile": PROFILE_LABELS,
    }
)

# --- The parents' guide (domain.md §5) -------------------------------------------------------

# How the parents talk, in the words parents use; each answer is one of Glasl's main phases:
# still talking and agreeing (win-win), quarrels and broken agreements (win-lose), or no
# talking any more except through others (lose-lose).
GuideCommunication = Literal["rustig", "moeizaam", "geen_contact"]
GUIDE_COMMUNICATION = labelled(
    GuideCommunication,
    {
        "rustig": "Meestal rustig. We kunnen samen afspraken maken.",
        "moeizaam": "Moeizaam. We maken vaak ruzie of houden ons niet aan afspraken.",
        "geen_contact": (
            "We praten bijna niet meer met elkaar, of alleen via anderen, zoals een advocaat."
        ),
    },
)
# Whether anyone feels unsafe. Every answer except "nee" counts as a sign of unsafety.
GuideSafety = Literal["nee", "twijfel", "ja", "nu_gevaar"]
GUIDE_SAFETY = labelled(
    GuideSafety,
    {
        "nee": "Nee",
        "twijfel": "Ik weet het niet zeker",
        "ja": "Ja",
        "nu_gevaar": "Ja, en er is nu gevaar",
    },
)

# --- Labels by group, for `label(code, group)` in the templates -------------------------------

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "kind": KIND_LABELS,
        "kind_plural": KIND_PLURALS,
        "status": STATUS_LABELS,
        "audience": AUDIENCE_LABELS,
        "divorce_stage": DIVORCE_STAGE_LABELS,
        "format": FORMAT_LABELS,
        "route": ROUTE_LABELS,
        "route_for_parents": ROUTE_FOR_PARENTS,
        "contraindication": CONTRAINDICATION_LABELS,
        "contraindication_free": CONTRAINDICATION_LABELS,
        "flag": FLAG_LABELS,
        "flag_explanation": FLAG_EXPLANATIONS,
        "scheme": SCHEME_LABELS,
        "glasl_phase": GLASL_PHASE_LABELS,
        "evaluation_status": EVALUATION_STATUS_LABELS,
        "facet": FACET_LABELS,
        "filter": FILTER_LABELS,
        "role": ROLE_LABELS,
        "analysis_status": ANALYSIS_STATUS_LABELS,
        "advice": ADVICE_LABELS,
        "safety_level": SAFETY_LEVEL_LABELS,
        "revision_kind": REVISION_KIND_LABELS,
    }
)

# --- Proposals: the pilot registry and the editors' review (domain.md §6) -----------------------

ProposalStatus = Literal["ingediend", "goedgekeurd", "afgewezen"]
PROPOSAL_STATUSES = codes(ProposalStatus)
PROPOSAL_STATUS_LABELS = labelled(
    ProposalStatus,
    {"ingediend": "Ingediend", "goedgekeurd": "Goedgekeurd", "afgewezen": "Afgewezen"},
)
# The Dutch names of an entry's front-matter fields, for the editors' field-by-field comparison.
ENTRY_FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "title": "Titel",
        "aliases": "Andere namen",
        "kind": "Soort",
        "status": "Status",
        "summary": "Samenvatting voor professionals",
        "summary_b1": "Samenvatting voor ouders (B1)",
        "summary_jongeren": "Samenvatting voor jongeren",
        "audience": "Voor wie",
        "age_min": "Leeftijd vanaf",
        "age_max": "Leeftijd tot en met",
        "glasl_phases": "Conflictfasen (Glasl)",
        "divorce_stage": "Fase van de scheiding",
        "format": "Vorm",
        "sessions": "Aantal bijeenkomsten",
        "session_minutes": "Minuten per bijeenkomst",
        "duration_weeks": "Duur in weken",
        "route": "Toegang",
        "contraindications": "Contra-indicaties",
        "conditions": "Voorwaarden",
        "owner": "Eigenaar",
        "national": "Landelijk beschikbaar",
        "available_in_nl": "In Nederland verkrijgbaar",
        "providers": "Aanbieders",
        "ratings": "Beoordelingen",
        "pilot": "Pilot: looptijd, locaties, evaluatie en resultaat",
        "sources": "Bronnen",
        "verified": "Geverifieerd",
        "last_reviewed": "Laatst beoordeeld",
        "next_review": "Volgende beoordeling",
        "related": "Verwante items",
        "body": "Tekst",
    }
)

# Joint formats (mediation, ouderschapsbemiddeling, joint parent sessions) carry these
# contra-indications (domain.md §3.4): under coercive control or acute danger they are unsafe.
# The search page marks entries with any of them "niet bij onveiligheid"; search/ranking.yaml
# (`demote_when_unsafe`) ranks them lower for questions about violence, kept equal by a test.
JOINT_FORMAT_CONTRAINDICATIONS: tuple[Contraindication, ...] = (
    "dwingende_controle",
    "acute_onveiligheid",
)
