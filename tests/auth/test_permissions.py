"""The permission table and the case-level rules of domain.md §7, from tables of cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kb.access import (
    ACTIONS,
    PERMISSIONS,
    ROLES,
    AnalysisFacts,
    CurrentUser,
    can,
    may_approve_analysis,
    may_edit_analysis,
    may_read_analysis,
    may_reassess_analysis,
    may_submit_analysis,
    roles_for,
)

# The table as the issue describes it, written out once more by hand: a change to PERMISSIONS
# must be a change to this test too.
EXPECTED: dict[str, set[str]] = {
    "rechter": {"kb.read", "pilot.propose", "analysis.read", "monitor.read"},
    "raadsonderzoeker": {
        "kb.read",
        "pilot.propose",
        "analysis.create",
        "analysis.read",
        "analysis.edit_own_draft",
        "analysis.submit",
        "analysis.reassess",
        "analysis.evaluate",
        "analysis.close",
        "monitor.read",
    },
    "gedragsdeskundige": {
        "kb.read",
        "pilot.propose",
        "analysis.read",
        "analysis.approve",
        "analysis.evaluate",
        "monitor.read",
    },
    "loketmedewerker": {"kb.read", "pilot.propose", "desk.handout"},
    "redacteur": {
        "kb.read",
        "pilot.propose",
        "content.review",
        "search_analytics.read",
        "monitor.read",
    },
    "beheerder": {
        "kb.read",
        "accounts.manage",
        "audit.read_metadata",
        "desk_profile.manage",
        "monitor.read",
    },
}

JUDGE = CurrentUser(id=1, username="r", role="rechter", court="Rechtbank Amsterdam")
OTHER_JUDGE = CurrentUser(id=2, username="r2", role="rechter", court="Rechtbank Den Haag")
INVESTIGATOR = CurrentUser(id=3, username="o", role="raadsonderzoeker", office="Raad Amsterdam")
COLLEAGUE = CurrentUser(id=4, username="o2", role="raadsonderzoeker", office="Raad Amsterdam")
FAR_INVESTIGATOR = CurrentUser(id=5, username="o3", role="raadsonderzoeker", office="Raad Zwolle")
EXPERT = CurrentUser(id=6, username="g", role="gedragsdeskundige", office="Raad Amsterdam")
FAR_EXPERT = CurrentUser(id=7, username="g2", role="gedragsdeskundige", office="Raad Zwolle")
DESK = CurrentUser(id=8, username="l", role="loketmedewerker", municipality="Amsterdam")
EDITOR = CurrentUser(id=9, username="e", role="redacteur")
ADMIN = CurrentUser(id=10, username="b", role="beheerder")
NO_COURT_JUDGE = CurrentUser(id=11, username="r3", role="rechter")

# An analysis written by INVESTIGATOR at the Amsterdam office for a case at Rechtbank Amsterdam.
FACTS = AnalysisFacts(
    court="Rechtbank Amsterdam", office="Raad Amsterdam", author_id=3, status="concept"
)
DRAFT = FACTS
AWAITING = replace(FACTS, status="ter_accordering")
SUBMITTED = replace(FACTS, status="ingediend")


def test_the_table_is_exactly_the_declared_one() -> None:
    actual = {role: {a for a in ACTIONS if role in roles_for(a)} for role in ROLES}
    assert actual == EXPECTED


def test_every_action_has_one_row_with_a_reason() -> None:
    assert [p.action for p in PERMISSIONS] == list(ACTIONS)
    assert all(p.why and p.roles <= set(ROLES) for p in PERMISSIONS)


def test_anonymous_may_do_nothing_that_needs_an_account() -> None:
    assert not any(can(None, action) for action in ACTIONS)


@pytest.mark.parametrize("role", ["beheerder", "loketmedewerker", "redacteur"])
def test_roles_without_case_data_get_no_analysis_action(role: str) -> None:
    user = CurrentUser(id=1, username="x", role=role)
    assert not any(can(user, a) for a in ACTIONS if a.startswith("analysis."))
    for status in ("concept", "ter_accordering", "ingediend"):
        assert not may_read_analysis(user, replace(FACTS, status=status, author_id=1))  # type: ignore[arg-type]


def test_unknown_action_fails_loudly() -> None:
    with pytest.raises(KeyError):
        roles_for("analysis.delete")


READ_CASES = [
    pytest.param(JUDGE, SUBMITTED, True, id="judge-own-court-submitted"),
    pytest.param(JUDGE, DRAFT, False, id="judge-own-court-draft"),
    pytest.param(JUDGE, AWAITING, False, id="judge-own-court-awaiting-approval"),
    pytest.param(OTHER_JUDGE, SUBMITTED, False, id="judge-other-court"),
    pytest.param(NO_COURT_JUDGE, SUBMITTED, False, id="judge-without-court"),
    pytest.param(INVESTIGATOR, DRAFT, True, id="investigator-own-draft"),
    pytest.param(COLLEAGUE, DRAFT, True, id="investigator-same-office"),
    pytest.param(FAR_INVESTIGATOR, SUBMITTED, False, id="investigator-other-office"),
    pytest.param(
        FAR_INVESTIGATOR,
        replace(SUBMITTED, author_id=5),
        True,
        id="investigator-own-analysis-elsewhere",
    ),
    pytest.param(EXPERT, AWAITING, True, id="expert-same-office"),
    pytest.param(FAR_EXPERT, AWAITING, False, id="expert-other-office"),
    pytest.param(DESK, SUBMITTED, False, id="desk-worker"),
    pytest.param(EDITOR, SUBMITTED, False, id="editor"),
    pytest.param(ADMIN, SUBMITTED, False, id="beheerder"),
    pytest.param(None, SUBMITTED, False, id="anonymous"),
]


@pytest.mark.parametrize(("user", "facts", "allowed"), READ_CASES)
def test_who_may_read_an_analysis(
    user: CurrentUser | None, facts: AnalysisFacts, allowed: bool
) -> None:
    assert may_read_analysis(user, facts) is allowed


EDIT_CASES = [
    pytest.param(INVESTIGATOR, DRAFT, True, id="author-draft"),
    pytest.param(INVESTIGATOR, AWAITING, False, id="author-awaiting-approval"),
    pytest.param(INVESTIGATOR, SUBMITTED, False, id="author-submitted-is-immutable"),
    pytest.param(COLLEAGUE, DRAFT, False, id="colleague-reads-but-does-not-edit"),
    pytest.param(EXPERT, DRAFT, False, id="expert"),
    pytest.param(JUDGE, DRAFT, False, id="judge"),
    pytest.param(ADMIN, DRAFT, False, id="beheerder"),
    pytest.param(None, DRAFT, False, id="anonymous"),
]


@pytest.mark.parametrize(("user", "facts", "allowed"), EDIT_CASES)
def test_only_the_author_edits_and_only_a_draft(
    user: CurrentUser | None, facts: AnalysisFacts, allowed: bool
) -> None:
    assert may_edit_analysis(user, facts) is allowed


SUBMIT_CASES = [
    pytest.param(INVESTIGATOR, DRAFT, True, id="author-draft"),
    pytest.param(INVESTIGATOR, AWAITING, False, id="already-awaiting"),
    pytest.param(COLLEAGUE, DRAFT, False, id="colleague"),
    pytest.param(EXPERT, DRAFT, False, id="expert"),
]


@pytest.mark.parametrize(("user", "facts", "allowed"), SUBMIT_CASES)
def test_the_author_submits_a_draft(
    user: CurrentUser | None, facts: AnalysisFacts, allowed: bool
) -> None:
    assert may_submit_analysis(user, facts) is allowed


REASSESS_CASES = [
    pytest.param(INVESTIGATOR, SUBMITTED, True, id="author-submitted"),
    pytest.param(INVESTIGATOR, DRAFT, False, id="author-draft"),
    pytest.param(COLLEAGUE, SUBMITTED, False, id="colleague"),
    pytest.param(JUDGE, SUBMITTED, False, id="judge"),
]


@pytest.mark.parametrize(("user", "facts", "allowed"), REASSESS_CASES)
def test_the_author_reassesses_a_submitted_analysis(
    user: CurrentUser | None, facts: AnalysisFacts, allowed: bool
) -> None:
    assert may_reassess_analysis(user, facts) is allowed


APPROVE_CASES = [
    pytest.param(EXPERT, AWAITING, True, id="expert-same-office-awaiting"),
    pytest.param(EXPERT, DRAFT, False, id="expert-draft"),
    pytest.param(EXPERT, SUBMITTED, False, id="expert-already-submitted"),
    pytest.param(FAR_EXPERT, AWAITING, False, id="expert-other-office"),
    pytest.param(INVESTIGATOR, AWAITING, False, id="author-cannot-approve-own"),
    pytest.param(JUDGE, AWAITING, False, id="judge"),
    pytest.param(ADMIN, AWAITING, False, id="beheerder"),
    pytest.param(None, AWAITING, False, id="anonymous"),
]


@pytest.mark.parametrize(("user", "facts", "allowed"), APPROVE_CASES)
def test_an_expert_of_the_same_office_approves(
    user: CurrentUser | None, facts: AnalysisFacts, allowed: bool
) -> None:
    assert may_approve_analysis(user, facts) is allowed
