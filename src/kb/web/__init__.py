"""The web edge: everything that knows about HTTP and Litestar, shared by every domain's routes.

`errors` turns every error into problem+json or a page; `auth` finds the user of a request and
guards routes; `pages` builds page responses; `templating` sets up Jinja; `pdf` renders pages as
PDF; `conditional` reads `If-Match` and writes `ETag`; `sessions` and `transactions` keep page
sessions and the request's database session; `security` adds the security headers; `apidocs`
renders the API documentation page. Services, rules, schemas and the catalogue never import it.
"""

__all__: list[str] = []
