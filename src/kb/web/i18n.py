"""Translated pages: gettext catalogues (Babel) behind Jinja's `{% trans %}` and `_()`.

The pages are written in Dutch and the Dutch text is the message id, so Dutch needs no
catalogue. Another language is one catalogue, `translations/<lang>/LC_MESSAGES/messages.po`
(`make translations` extracts the texts and updates it); it is compiled when the app starts, so
a fresh clone needs no build step and a compiled file can never be older than its source.

A page says its language with `lang` in its context (also `<html lang>`); every text of it,
macros imported `with context` included, is then looked up in that language's catalogue.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context

__all__ = ["DEFAULT_LANGUAGE", "compile_catalogue", "install_translations", "load_catalogues"]

DEFAULT_LANGUAGE = "nl"
DOMAIN = "messages"


def compile_catalogue(po_file: Path) -> Translations:
    """A `.po` file compiled in memory, as `pybabel compile` would write it."""
    with po_file.open("rb") as source:
        catalogue = read_po(source, locale=po_file.parent.parent.name)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_catalogues(directory: Path) -> dict[str, NullTranslations]:
    """Every language with a catalogue under `directory`, plus Dutch (the message ids)."""
    catalogues: dict[str, NullTranslations] = {DEFAULT_LANGUAGE: NullTranslations()}
    for po_file in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalogues[po_file.parent.parent.name] = compile_catalogue(po_file)
    return catalogues


def install_translations(env: Any, directory: Path) -> Mapping[str, NullTranslations]:
    """Add Jinja's i18n extension to `env`, looking texts up in the page's language."""
    catalogues = load_catalogues(directory)

    def catalogue(context: Context) -> NullTranslations:
        return catalogues.get(context.get("lang") or DEFAULT_LANGUAGE, catalogues["nl"])

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return catalogue(context).gettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return catalogue(context).ngettext(singular, plural, n)

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["languages"] = tuple(catalogues)
    return catalogues
