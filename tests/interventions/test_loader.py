"""`kb check`: the real content validates, and a broken file is named by path, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kb.errors import ContentError
from kb.interventions.loader import load_entries
from tests.helpers import CONTENT, FIXTURE_CONTENT, kb_check


def _line_of(path: Path, startswith: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(startswith))


def test_real_content_passes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = kb_check(capsys, CONTENT, monkeypatch)
    assert code == 0, output
    assert output.startswith("OK:")


def test_domain_list_is_complete() -> None:
    """Every entry that domain.md §3.5 requires is present, each with at least one source."""
    required = {
        "kinderen-uit-de-knel",
        "ouderschap-blijft",
        "kies",
        "dappere-dinos",
        "stoere-schildpadden",
        "jes-het-brugproject",
        "ouderschap-na-scheiding",
        "triple-p-family-transitions",
        "scheidingsatlas",
        "villa-pinedo",
        "begeleide-omgang",
        "ouderschapsbemiddeling",
        "scheidingsmediation",
        "eigen-kracht-conferentie",
        "parallel-ouderschap",
        "ouderschapsplan",
        "aanpak-complexe-scheidingen",
        "new-beginnings-program",
        "uniform-hulpaanbod",
        "regierechter",
        "gezinsvertegenwoordiger",
        "gezamenlijke-toegang-ouders",
        "specialist-contactverlies",
        "regiolabs",
        "steunfiguur-kind",
        "kindgesprek",
        "bijzondere-curator",
        "richtlijn-scheiding",
        "lirik",
        "masic",
        "family-doors",
        "digiplein",
        "de-gezinsadvocaat",
        "scheidingsloket-rotterdam",
        "kenniscentrum-kind-en-scheiding-haaglanden",
        "kind-in-scheiding-zeeland",
        "scheidingsspreekuur-hollands-kroon",
    }
    entries = {e.slug: e for e in load_entries(CONTENT)}
    assert required <= set(entries), required - set(entries)
    assert all(e.sources for e in entries.values())


def test_joint_formats_carry_safety_contraindications() -> None:
    """Mediation-type offers are contra-indicated under coercive control and acute danger."""
    entries = {e.slug: e for e in load_entries(CONTENT)}
    for slug in ("ouderschapsbemiddeling", "scheidingsmediation", "kinderen-uit-de-knel"):
        codes = set(entries[slug].contraindications)
        assert {"dwingende_controle", "acute_onveiligheid"} <= codes, slug


@pytest.mark.parametrize(
    ("old", "new", "field", "message_part"),
    [
        pytest.param("age_min: 4", "age_min: vier", "age_min", "integer", id="not-a-number"),
        pytest.param("kind: interventie", "kind: cursus", "kind", "interventie", id="unknown-code"),
        pytest.param(
            "status: actief",
            "status: actief\nonbekend_veld: 1",
            "onbekend_veld",
            "Extra",
            id="unknown-field",
        ),
        pytest.param(
            "  - scheme: richtlijn",
            "  - scheme: zelfbedacht",
            "ratings[0].scheme",
            "nji",
            id="nested",
        ),
    ],
)
def test_broken_file_is_located(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content_copy: Path,
    old: str,
    new: str,
    field: str,
    message_part: str,
) -> None:
    path = content_copy / "interventions" / "kinderen-uit-de-knel.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    expected_line = (
        _line_of(path, new.split("\n")[-1].split(":")[0] + ":")
        if field != "ratings[0].scheme"
        else _line_of(path, "  - scheme: zelfbedacht")
    )
    code, output = kb_check(capsys, content_copy, monkeypatch)
    assert code == 1
    lines = [line for line in output.splitlines() if "kinderen-uit-de-knel.md" in line]
    assert len(lines) == 1, output
    location, got_field, message = lines[0].split(": ", 2)
    assert location.endswith(f"interventions/kinderen-uit-de-knel.md:{expected_line}")
    assert got_field == field
    assert message_part.lower() in message.lower()


def _alpha_changed(content: Path, change: Callable[[str], str]) -> Path:
    """The fixture corpus's alpha-groep.md, changed, as the only file in `content`."""
    source = FIXTURE_CONTENT / "interventions" / "alpha-groep.md"
    target = content / "interventions" / "alpha-groep.md"
    target.parent.mkdir()
    target.write_text(change(source.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def test_rating_without_source_is_refused(tmp_path: Path) -> None:
    _alpha_changed(
        tmp_path, lambda t: t.replace("    source_url: https://example.org/alpha-groep\n", "")
    )
    with pytest.raises(ContentError) as caught:
        load_entries(tmp_path)
    assert "source_url" in str(caught.value)


def test_dangling_related_slug_is_reported(tmp_path: Path) -> None:
    path = _alpha_changed(
        tmp_path, lambda t: t.replace("verified: true", "verified: true\nrelated: [bestaat-niet]")
    )
    with pytest.raises(ContentError) as caught:
        load_entries(tmp_path)
    problem = caught.value.problems[0]
    assert problem.field == "related[0]"
    assert problem.line == _line_of(path, "related:")


def test_missing_front_matter(tmp_path: Path) -> None:
    (tmp_path / "interventions").mkdir()
    (tmp_path / "interventions" / "leeg.md").write_text("# Alleen tekst\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_entries(tmp_path)
    assert str(caught.value).endswith("leeg.md:1: front matter: begin met '---', YAML, dan '---'")


def test_raw_html_in_body_is_not_rendered(tmp_path: Path) -> None:
    _alpha_changed(tmp_path, lambda t: t + "\n<script>alert(1)</script>\n")
    entry = load_entries(tmp_path)[0]
    assert "<script>" not in entry.body_html
    assert "&lt;script&gt;" in entry.body_html
