"""Dutch display labels and plain explanations for every code the knowledge base uses (data only)."""

from __future__ import annotations

__all__ = [
    "AUDIENCE_LABELS",
    "CONTRAINDICATION_LABELS",
    "DIVORCE_STAGE_LABELS",
    "EVALUATION_STATUS_LABELS",
    "EVIDENCE_EXPLANATIONS",
    "FACET_LABELS",
    "FILTER_LABELS",
    "FLAG_EXPLANATIONS",
    "FLAG_LABELS",
    "FORMAT_LABELS",
    "GLASL_PHASE_LABELS",
    "KIND_LABELS",
    "KIND_PLURALS",
    "LABELS",
    "ROUTE_LABELS",
    "SCHEME_LABELS",
    "STATUS_LABELS",
    "WARNING_FLAGS",
]

KIND_LABELS: dict[str, str] = {
    "interventie": "Interventie",
    "pilot": "Pilot of proeftuin",
    "richtlijn": "Richtlijn",
    "instrument": "Instrument",
    "voorziening": "Voorziening",
    "werkwijze": "Werkwijze",
}

KIND_PLURALS: dict[str, str] = {
    "interventie": "Interventies",
    "pilot": "Pilots en proeftuinen",
    "richtlijn": "Richtlijnen",
    "instrument": "Instrumenten",
    "voorziening": "Voorzieningen",
    "werkwijze": "Werkwijzen",
}

STATUS_LABELS: dict[str, str] = {
    "actief": "Actief",
    "lopend": "Loopt nog",
    "afgerond": "Afgerond",
    "gestopt": "Gestopt",
}

AUDIENCE_LABELS: dict[str, str] = {
    "kind": "Kinderen",
    "ouders": "Ouders",
    "ouderpaar": "Beide ouders samen",
    "gezin": "Het hele gezin",
    "netwerk": "Netwerk rond het gezin",
    "professional": "Professionals",
}

DIVORCE_STAGE_LABELS: dict[str, str] = {
    "overweging": "Vóór de scheiding (ouders overwegen te scheiden)",
    "procedure": "Tijdens de scheidingsprocedure",
    "na_scheiding": "Na de scheiding",
}

FORMAT_LABELS: dict[str, str] = {
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
}

ROUTE_LABELS: dict[str, str] = {
    "vrij_toegankelijk": "Vrij toegankelijk",
    "via_wijkteam": "Via het wijkteam of de gemeente",
    "uniform_hulpaanbod": "Uniform Hulpaanbod (verwijzing bij de zitting)",
    "gedwongen_kader": "Gedwongen kader (OTS, gecertificeerde instelling)",
    "rechtspraak": "Via de rechtspraak",
}

CONTRAINDICATION_LABELS: dict[str, str] = {
    "dwingende_controle": "dwingende controle (intieme terreur)",
    "huiselijk_geweld": "huiselijk geweld",
    "acute_onveiligheid": "acute onveiligheid",
    "kindermishandeling": "kindermishandeling",
    "ernstige_psychiatrie": "ernstige psychiatrische problematiek",
    "verslaving": "verslaving",
}

FLAG_LABELS: dict[str, str] = {
    "onder_voorbehoud": "Onder voorbehoud",
    "niet_erkend": "Niet erkend",
    "geen_effect": "Geen effect gevonden",
    "schadelijk": "Schadelijk",
}

# The two flags the Taskforce wants shown loudly, never hidden (domain.md §3.3).
WARNING_FLAGS: tuple[str, ...] = ("schadelijk", "geen_effect")

FLAG_EXPLANATIONS: dict[str, str] = {
    "onder_voorbehoud": (
        "De beoordeling is voorlopig: de commissie heeft haar oordeel onder voorbehoud gegeven."
    ),
    "niet_erkend": (
        "Een erkenningscommissie heeft deze aanpak niet erkend; de reden staat bij de beoordeling."
    ),
    "geen_effect": (
        "Onderzoek vond dat deze aanpak niet bereikt wat hij wil bereiken: er is geen effect "
        "aangetoond."
    ),
    "schadelijk": (
        "Onderzoek vond dat deze aanpak schade kan doen of averechts werkt: het kan kinderen of "
        "ouders slechter gaan dan zonder deze aanpak."
    ),
}

EVIDENCE_EXPLANATIONS: dict[int, str] = {
    0: (
        "Er is geen erkende beoordeling van deze aanpak bekend; dat geldt ook voor pilots die nog "
        "lopen."
    ),
    1: (
        "Doel, doelgroep, aanpak en voorwaarden zijn degelijk beschreven, maar er is nog niet "
        "onderbouwd waarom de aanpak zou werken."
    ),
    2: (
        "De aanpak is goed beschreven en er is een aannemelijke theorie waarom hij werkt, maar "
        "effectonderzoek ontbreekt nog."
    ),
    3: "Onderzoek naar de effecten geeft eerste aanwijzingen dat de aanpak werkt.",
    4: ("Gecontroleerd onderzoek ondersteunt dat de aanpak zelf het gevonden effect veroorzaakt."),
    5: (
        "Meerdere gecontroleerde onderzoeken en/of blijvende effecten laten sterk zien dat de "
        "aanpak werkt."
    ),
}

SCHEME_LABELS: dict[str, str] = {
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
}

# Facet values arrive as strings from the search engines, so the phases are keyed by text.
GLASL_PHASE_LABELS: dict[str, str] = {
    "1": "fase 1 (win-win)",
    "2": "fase 2 (win-verlies)",
    "3": "fase 3 (verlies-verlies)",
}

EVALUATION_STATUS_LABELS: dict[str, str] = {
    "geen": "Er is geen evaluatie",
    "lopend": "De evaluatie loopt",
    "afgerond": "De evaluatie is afgerond",
}

FACET_LABELS: dict[str, str] = {
    "kind": "Soort",
    "status": "Status",
    "evidence_level": "Bewijsniveau",
    "audience": "Voor wie",
    "route": "Toegang",
    "format": "Vorm",
    "glasl_phase": "Conflictfase (Glasl)",
    "arrondissement": "Arrondissement",
}

# Headings of the search parameters, for the "active filters" list and error messages.
FILTER_LABELS: dict[str, str] = {
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

LABELS: dict[str, dict[str, str]] = {
    "kind": KIND_LABELS,
    "kind_plural": KIND_PLURALS,
    "status": STATUS_LABELS,
    "audience": AUDIENCE_LABELS,
    "divorce_stage": DIVORCE_STAGE_LABELS,
    "format": FORMAT_LABELS,
    "route": ROUTE_LABELS,
    "contraindication": CONTRAINDICATION_LABELS,
    "contraindication_free": CONTRAINDICATION_LABELS,
    "flag": FLAG_LABELS,
    "scheme": SCHEME_LABELS,
    "glasl_phase": GLASL_PHASE_LABELS,
    "evaluation_status": EVALUATION_STATUS_LABELS,
    "facet": FACET_LABELS,
    "filter": FILTER_LABELS,
}
