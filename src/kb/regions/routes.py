"""HTTP for the municipality register: `RegionsApi` (contracts.md, Regions). Public and read-only."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, Parameter

from kb.regions.register import MAX_RESULTS, register

__all__ = ["API_PATH", "RegionsApi"]

API_PATH = "/api/v1/regions"
MAX_QUERY_LENGTH = 100

MunicipalityItem = dict[str, str]


class RegionsApi(Controller):
    path = API_PATH
    tags = ["Regio's"]

    @get(
        "/municipalities",
        summary="Zoek een gemeente",
        description=(
            "Gemeenten met provincie, arrondissement en rechtbank, op begin van de naam, oude "
            f"namen (herindelingen) en ondanks een tikfout; hoogstens {MAX_RESULTS}."
        ),
        sync_to_thread=False,
    )
    def search(
        self,
        q: Annotated[
            str,
            Parameter(
                max_length=MAX_QUERY_LENGTH,
                description="(Begin van) de naam van een gemeente",
            ),
        ] = "",
    ) -> dict[str, list[MunicipalityItem]]:
        return {"items": [m.item() for m in register().search(q)]}

    @get(
        "/municipalities/{name:str}",
        summary="Eén gemeente met provincie, arrondissement en rechtbank",
        description="Ook een oude of andere naam; onbekend → 404 met `did_you_mean`.",
        sync_to_thread=False,
    )
    def detail(self, name: FromPath[str]) -> MunicipalityItem:
        return register().resolve(name).item()
