"""The national numbers every handout carries, each taken from its knowledge-base entry.

A number is a fact like any other (domain.md §3.2): each line names the entry whose sources
carry it (`slug`), and tests/desk/test_helplines.py fails when the entry no longer says the
same number or links the same site. Where the entry gives no site, none is printed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HELPLINES", "Helpline"]


@dataclass(frozen=True)
class Helpline:
    name: str
    phone: str  # as printed
    for_whom: str
    terms: str  # cost and hours, as the entry gives them
    slug: str  # the entry whose sources carry these facts
    url: str | None = None

    @property
    def tel(self) -> str:
        return self.phone.replace("-", "")


HELPLINES: tuple[Helpline, ...] = (
    Helpline(
        name="Veilig Thuis",
        phone="0800-2000",
        for_whom="Bij zorgen over geweld thuis of over een kind. Ook voor advies als u twijfelt.",
        terms="Gratis, dag en nacht. U mag anoniem bellen.",
        slug="veilig-thuis",
    ),
    Helpline(
        name="De Kindertelefoon",
        phone="0800-0432",
        for_whom="Voor kinderen en jongeren, over alles wat hen dwarszit.",
        terms="Gratis, en een kind hoeft zijn naam niet te zeggen. Chatten kan ook.",
        slug="kindertelefoon",
        url="https://www.kindertelefoon.nl/",
    ),
    Helpline(
        name="Het Juridisch Loket",
        phone="0900-8020",
        for_whom="Voor vragen over het recht, zoals alimentatie.",
        terms="Bellen kost € 0,25 per minuut; aan de balie van een vestiging is het gratis.",
        slug="juridisch-loket",
        url="https://www.juridischloket.nl/",
    ),
)
