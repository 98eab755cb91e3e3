"""HTTP for accounts: sign-in pages, the token API, and the beheerder's account and audit pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from jinja2 import pass_context
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from kb.auth.guards import client_address, current_user, requires, requires_sign_in
from kb.auth.permissions import ROLE_LABELS, ROLES
from kb.auth.schemas import (
    COURTS,
    MIN_PASSWORD_LENGTH,
    AccountOut,
    AuditPage,
    CurrentUser,
    Me,
    TokenOut,
    TokenRequest,
    parse_new_account,
)
from kb.auth.service import AccountService, AuthConfig
from kb.auth.sessions import end_session, start_session
from kb.auth.startup import DEMO_ACCOUNTS, DEMO_PASSWORD
from kb.errors import (
    ConflictError,
    FieldError,
    InvalidCredentialsError,
    InvalidInputError,
    TooManyAttemptsError,
)
from kb.settings import Settings

__all__ = [
    "AccountPages",
    "AdminApi",
    "AuthApi",
    "AuthPages",
    "configure_auth_templates",
    "provide_account_service",
]

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AUDIT_PER_PAGE = 50
_NOTICE = "notice"


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


def _user(request: Request[Any, Any, Any]) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route's guard let only signed-in users through
    return user


# --- Sign-in and sign-out pages -----------------------------------------------------------


class AuthPages(Controller):
    include_in_schema = False
    dependencies = _SERVICE

    @get("/aanmelden", sync_to_thread=False)
    def sign_in_form(self, next: FromQuery[str | None] = None) -> Template:
        return Template(
            "auth/sign_in.html", context={"next": _safe_next(next), "username": "", "errors": []}
        )

    @post("/aanmelden", sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        data: FormData,
    ) -> Template | Redirect:
        username = data.get("username", "").strip()
        password = data.get("password", "")
        target = _safe_next(data.get("next"))
        errors = []
        if not username:
            errors.append(FieldError(("username",), "Vul uw gebruikersnaam in."))
        if not password:
            errors.append(FieldError(("password",), "Vul uw wachtwoord in."))
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
        return Template(
            "auth/sign_in.html",
            context={"next": target, "username": username, "errors": errors},
            status_code=status,
            headers=headers,
        )

    @post("/afmelden", sync_to_thread=False)
    def sign_out(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Redirect:
        user = current_user(request)
        if user is not None:
            service.sign_out(user, address=client_address(request))
        end_session(request)
        return Redirect("/", status_code=303)


# --- Token API ----------------------------------------------------------------------------


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["Accounts"]
    dependencies = _SERVICE

    @post(
        "/token",
        status_code=200,
        summary="Vraag een token aan",
        description=(
            "Met gebruikersnaam en wachtwoord; stuur het token daarna mee als "
            "Authorization: Bearer <token>."
        ),
        responses={
            401: ResponseSpec(
                None,
                description="Onbekende gebruiker of verkeerd wachtwoord: hetzelfde antwoord.",
                media_type="application/problem+json",
            ),
            429: ResponseSpec(
                None,
                description="Te veel mislukte pogingen; zie de header Retry-After.",
                media_type="application/problem+json",
            ),
        },
        sync_to_thread=True,
    )
    def issue_token(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        data: JSONBody[TokenRequest],
    ) -> TokenOut:
        return service.issue_token(data.username, data.password, address=client_address(request))

    @delete(
        "/token",
        guards=[requires_sign_in],
        summary="Trek het meegestuurde token in",
        sync_to_thread=False,
    )
    def revoke_token(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> None:
        service.sign_out(_user(request), address=client_address(request))

    @get(
        "/me",
        guards=[requires_sign_in],
        summary="Wie ben ik: rol, werkgebied en rechten",
        sync_to_thread=False,
    )
    def me(self, request: Request[Any, Any, Any]) -> Me:
        return Me.of(_user(request))


# --- Beheer: accounts and audit metadata --------------------------------------------------


def _form_context(values: Mapping[str, str], errors: list[FieldError]) -> dict[str, Any]:
    return {
        "values": {k: v for k, v in values.items() if k not in {"password", "_csrf_token"}},
        "errors": errors,
        "min_password_length": MIN_PASSWORD_LENGTH,
    }


class AccountPages(Controller):
    path = "/beheer"
    include_in_schema = False
    dependencies = _SERVICE

    @get(
        "/accounts",
        guards=[requires("accounts.manage")],
        sync_to_thread=False,
    )
    def accounts(
        self, request: Request[Any, Any, Any], service: NamedDependency[AccountService]
    ) -> Template:
        notice = request.session.pop(_NOTICE, None)
        return Template(
            "admin/accounts.html",
            context={"accounts": service.accounts(), "notice": notice, "section": "beheer"},
            headers={"Link": '</api/v1/accounts>; rel="alternate"; type="application/json"'},
        )

    @get("/accounts/nieuw", guards=[requires("accounts.manage")], sync_to_thread=False)
    def new_account_form(self) -> Template:
        return Template("admin/account_new.html", context=_form_context({}, []))

    @post("/accounts", guards=[requires("accounts.manage")], sync_to_thread=True)
    def create_account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        data: FormData,
    ) -> Template | Redirect:
        try:
            new = parse_new_account(data)
            created = service.create(new, by=_user(request), address=client_address(request))
        except InvalidInputError as exc:
            return Template(
                "admin/account_new.html", context=_form_context(data, exc.errors), status_code=422
            )
        except ConflictError as exc:
            errors = [FieldError(("username",), exc.detail)]
            return Template(
                "admin/account_new.html", context=_form_context(data, errors), status_code=409
            )
        request.session[_NOTICE] = f"Account ‘{created.username}’ is aangemaakt."
        return Redirect("/beheer/accounts", status_code=303)

    @post(
        "/accounts/{username:str}/uitschakelen",
        guards=[requires("accounts.manage")],
        sync_to_thread=False,
    )
    def disable_account(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AccountService],
        username: FromPath[str],
    ) -> Redirect:
        disabled = service.disable(username, by=_user(request), address=client_address(request))
        request.session[_NOTICE] = (
            f"Account ‘{disabled.username}’ is uitgeschakeld; "
            "de sessies en tokens ervan werken niet meer."
        )
        return Redirect("/beheer/accounts", status_code=303)

    @get("/audit", guards=[requires("audit.read_metadata")], sync_to_thread=False)
    def audit(
        self,
        service: NamedDependency[AccountService],
        page: Annotated[int, QueryParameter(ge=1, le=100_000, description="vanaf 1")] = 1,
    ) -> Template:
        result = service.audit_page(page, AUDIT_PER_PAGE)
        return Template(
            "admin/audit.html",
            context={"result": result, "section": "beheer"},
            headers={
                "Link": f'</api/v1/audit?page={page}>; rel="alternate"; type="application/json"'
            },
        )


class AdminApi(Controller):
    path = "/api/v1"
    tags = ["Beheer"]
    dependencies = _SERVICE

    @get(
        "/accounts",
        guards=[requires("accounts.manage")],
        summary="Alle accounts (zonder wachtwoorden)",
        sync_to_thread=False,
    )
    def accounts(self, service: NamedDependency[AccountService]) -> list[AccountOut]:
        return service.accounts()

    @get(
        "/audit",
        guards=[requires("audit.read_metadata")],
        summary="Auditlog: alleen metagegevens, nooit zaakinhoud",
        sync_to_thread=False,
    )
    def audit(
        self,
        service: NamedDependency[AccountService],
        page: Annotated[int, QueryParameter(ge=1, le=100_000, description="vanaf 1")] = 1,
    ) -> AuditPage:
        return service.audit_page(page, AUDIT_PER_PAGE)


# --- Templates ----------------------------------------------------------------------------


@pass_context
def _current_user_in_template(context: Mapping[str, Any]) -> Any:
    request = context.get("request")
    return current_user(request) if request is not None else None


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
}


def configure_auth_templates(jinja: Any, settings: Settings) -> None:
    """Jinja globals for the header (who is signed in) and the account and audit pages."""
    jinja.engine.globals.update(
        current_user=_current_user_in_template,
        role_labels=ROLE_LABELS,
        roles=ROLES,
        courts=COURTS,
        audit_action_labels=AUDIT_ACTION_LABELS,
        demo_accounts=DEMO_ACCOUNTS if settings.demo else (),
        demo_password=DEMO_PASSWORD,
    )
