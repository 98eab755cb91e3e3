"""HTTP for accounts: sign-in pages, the token API, and the beheerder's account and audit pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.auth.schemas import (
    MIN_PASSWORD_LENGTH,
    AccountOut,
    AuditPage,
    Me,
    TokenOut,
    TokenRequest,
    parse_new_account,
)
from kb.auth.service import AccountService, AuthConfig
from kb.auth.startup import DEMO_ACCOUNTS, DEMO_PASSWORD
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidCredentialsError,
    InvalidInputError,
    TooManyAttemptsError,
)
from kb.web.auth import client_address, current_user, requires
from kb.web.operations import operation
from kb.web.pages import (
    AnyRequest,
    FormData,
    alternate,
    first_values,
    page,
    redirect_with_notice,
    take_notice,
)
from kb.web.sessions import end_session, start_session

__all__ = ["AccountPages", "AdminApi", "AuthApi", "AuthPages", "auth_template_globals"]

AUDIT_PER_PAGE = 50
AuditPageNumber = Annotated[
    int, QueryParameter(name="page", ge=1, le=100_000, description="vanaf 1")
]


def provide_account_service(
    db_session: NamedDependency[Session], auth_config: NamedDependency[AuthConfig]
) -> AccountService:
    return AccountService(db_session, auth_config)


_SERVICE = {"service": Provide(provide_account_service, sync_to_thread=False)}


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot be used to send people elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


# --- Sign-in and sign-out pages -----------------------------------------------------------


class AuthPages(Controller):
    include_in_schema = False
    dependencies = _SERVICE

    @get("/aanmelden", sync_to_thread=False)
    def sign_in_form(self, next: FromQuery[str | None] = None) -> Template:
        return page("auth/sign_in.html", next=_safe_next(next), username="", errors=[])

    @post("/aanmelden", sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        data: FormData,
    ) -> Template | Redirect:
        values = first_values(data)
        username = values.get("username", "").strip()
        password = values.get("password", "")
        target = _safe_next(values.get("next"))
        errors = [
            FieldError((name,), message)
            for name, given, message in (
                ("username", username, "Vul uw gebruikersnaam in."),
                ("password", password, "Vul uw wachtwoord in."),
            )
            if not given
        ]
        status, headers = 200, {}
        if not errors:
            try:
                session_data = service.sign_in(username, password, address=client_address(request))
            except InvalidCredentialsError as exc:
                errors.append(FieldError(("username",), exc.detail))
            except TooManyAttemptsError as exc:
                errors.append(FieldError(("username",), exc.detail))
                status, headers = 429, {"Retry-After": str(exc.retry_after)}
            else:
                start_session(request, session_data)
                return Redirect(target, status_code=303)
        return page(
            "auth/sign_in.html", status, headers, next=target, username=username, errors=errors
        )

    @post("/afmelden", sync_to_thread=True)
    def sign_out(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Redirect:
        user = current_user(request)
        if user is not None:
            service.sign_out(user, address=client_address(request))
        end_session(request)
        return Redirect("/", status_code=303)


# --- Token API ----------------------------------------------------------------------------


Service = NamedDependency[AccountService]
ISSUE = operation(
    "Vraag een token aan",
    401,
    429,
    texts={401: "Onbekende gebruiker of verkeerd wachtwoord: hetzelfde antwoord."},
    description="Met gebruikersnaam en wachtwoord; stuur het token daarna mee als "
    "Authorization: Bearer <token>.",
    status_code=200,
)
REVOKE = operation("Trek het meegestuurde token in", 401, signed_in=True)
ME = operation("Wie ben ik: rol, werkgebied en rechten", 401, signed_in=True, sync_to_thread=False)
ACCOUNTS = operation("Alle accounts (zonder wachtwoorden)", 401, 403, action="accounts.manage")
AUDIT = operation(
    "Auditlog: alleen metagegevens, nooit zaakinhoud", 401, 403, action="audit.read_metadata"
)


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["Accounts"]
    dependencies = _SERVICE

    @post("/token", **ISSUE)
    def issue_token(
        self, request: AnyRequest, service: Service, data: JSONBody[TokenRequest]
    ) -> TokenOut:
        return service.issue_token(data.username, data.password, address=client_address(request))

    @delete("/token", **REVOKE)
    def revoke_token(self, service: Service, caller: NamedDependency[Caller]) -> None:
        service.sign_out(caller.user, address=caller.address)

    @get("/me", **ME)
    def me(self, caller: NamedDependency[Caller]) -> Me:
        return Me.model_validate(caller.user)


# --- Beheer: accounts and audit metadata --------------------------------------------------


def _account_form(
    values: Mapping[str, str], errors: list[FieldError], status_code: int = 200
) -> Template:
    shown = {k: v for k, v in values.items() if k not in {"password", "_csrf_token"}}
    return page(
        "admin/account_new.html",
        status_code,
        values=shown,
        errors=errors,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


class AccountPages(Controller):
    path = "/beheer"
    include_in_schema = False
    dependencies = _SERVICE

    @get("/accounts", guards=[requires("accounts.manage")], sync_to_thread=True)
    def accounts(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Template:
        return page(
            "admin/accounts.html",
            headers=alternate("/api/v1/accounts"),
            accounts=service.accounts(),
            notice=take_notice(request),
        )

    @get("/accounts/nieuw", guards=[requires("accounts.manage")], sync_to_thread=False)
    def new_account_form(self) -> Template:
        return _account_form({}, [])

    @post("/accounts", guards=[requires("accounts.manage")], sync_to_thread=True)
    def create_account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        data: FormData,
    ) -> Template | Redirect:
        values = first_values(data)
        try:
            created = service.create(
                parse_new_account(values), by=caller.user, address=caller.address
            )
        except InvalidInputError as exc:
            return _account_form(values, exc.errors, 422)
        except ConflictError as exc:
            return _account_form(values, [FieldError(("username",), exc.detail)], 409)
        notice = f"Account ‘{created.username}’ is aangemaakt."
        return redirect_with_notice(request, "/beheer/accounts", notice)

    @post(
        "/accounts/{username:str}/uitschakelen",
        guards=[requires("accounts.manage")],
        sync_to_thread=True,
    )
    def disable_account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        caller: NamedDependency[Caller],
        username: FromPath[str],
    ) -> Redirect:
        disabled = service.disable(username, by=caller.user, address=caller.address)
        notice = (
            f"Account ‘{disabled.username}’ is uitgeschakeld; "
            "de sessies en tokens ervan werken niet meer."
        )
        return redirect_with_notice(request, "/beheer/accounts", notice)

    @get("/audit", guards=[requires("audit.read_metadata")], sync_to_thread=True)
    def audit(
        self, service: NamedDependency[AccountService], page_number: AuditPageNumber = 1
    ) -> Template:
        return page(
            "admin/audit.html",
            headers=alternate(f"/api/v1/audit?page={page_number}"),
            result=service.audit_page(page_number, AUDIT_PER_PAGE),
        )


class AdminApi(Controller):
    path = "/api/v1"
    tags = ["Beheer"]
    dependencies = _SERVICE

    @get("/accounts", **ACCOUNTS)
    def accounts(self, service: Service) -> list[AccountOut]:
        return service.accounts()

    @get("/audit", **AUDIT)
    def audit(self, service: Service, page_number: AuditPageNumber = 1) -> AuditPage:
        return service.audit_page(page_number, AUDIT_PER_PAGE)


# --- Templates ----------------------------------------------------------------------------

AUDIT_ACTION_LABELS: Mapping[str, str] = {
    "analysis.list": "analyses bekeken (lijst)",
    "auth.sign_in": "aangemeld",
    "auth.sign_in_failed": "aanmelden mislukt",
    "auth.sign_out": "afgemeld",
    "auth.token_issued": "token uitgegeven",
    "account.create": "account aangemaakt",
    "account.disable": "account uitgeschakeld",
    "analysis.create": "analyse aangemaakt",
    "analysis.read": "analyse gelezen",
    "analysis.edit": "analyse gewijzigd",
    "analysis.submit": "analyse ter accordering",
    "analysis.approve": "analyse geaccordeerd",
    "analysis.reassess": "herijking gestart",
    "analysis.refused": "analyse geweigerd (lezen of wijzigen)",
}


def auth_template_globals(demo: bool) -> dict[str, Any]:
    """What the account pages and the sign-in form show: the audit's words, the demo accounts."""
    return {
        "audit_action_labels": AUDIT_ACTION_LABELS,
        "demo_accounts": DEMO_ACCOUNTS if demo else (),
        "demo_password": DEMO_PASSWORD,
    }
