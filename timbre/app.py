"""The application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from timbre import __version__
from timbre.apikeys.endpoints import router as apikeys_router
from timbre.auth import tokens
from timbre.auth.replay import authorize
from timbre.catalogs import search, store
from timbre.catalogs.endpoints import router as catalogs_router
from timbre.cfdi import xsd
from timbre.cfdi.rules import catalog as rules_catalog
from timbre.clients.endpoints import router as clients_router
from timbre.clients.portal_access import router as customer_portal_router
from timbre.complements.endpoints import router as complements_router
from timbre.config import Settings, get_settings
from timbre.drafts.endpoints import router as drafts_router
from timbre.error_handlers import (
    handle_data_error,
    handle_http_error,
    handle_overflow,
    handle_timbre_error,
    handle_unexpected,
    handle_validation_error,
)
from timbre.errors import TimbreError
from timbre.events.endpoints import router as events_router
from timbre.files.endpoints import router as files_router
from timbre.health.endpoints import router as health_router
from timbre.invoices.endpoints import router as invoices_router
from timbre.invoices.stamping import sandbox as sandbox_pac
from timbre.kit import redact
from timbre.kit.hygiene import BodyLimitMiddleware, ContainErrorsMiddleware, RejectNulMiddleware
from timbre.kit.idempotency import IdempotencyMiddleware
from timbre.kit.observe import ObservabilityMiddleware, prefixed_routes
from timbre.kit.ratelimit import RateLimitMiddleware
from timbre.payments.endpoints import router as payments_router
from timbre.payments.integrations import router as payment_integrations_router
from timbre.portal.customer import router as customer_portal_page_router
from timbre.portal.endpoints import router as portal_router
from timbre.portal.guides import router as guides_router
from timbre.portal.payments import router as payment_page_router
from timbre.portal.selfinvoice import router as self_invoice_router
from timbre.receipts.endpoints import clients_router as receipt_clients_router
from timbre.receipts.endpoints import eom_router
from timbre.receipts.endpoints import router as receipts_router
from timbre.retentions.endpoints import router as retentions_router
from timbre.sat.endpoints import router as sat_router
from timbre.satlists.endpoints import router as satlists_router
from timbre.satmirror.download_endpoints import router as sat_download_router
from timbre.satmirror.endpoints import router as sat_mirror_router
from timbre.satmirror.sync_endpoints import router as sat_sync_router
from timbre.satmirror.tools_endpoints import router as tools_router
from timbre.services.endpoints import router as services_router
from timbre.teams.endpoints import router as teams_router
from timbre.users.endpoints import router as users_router
from timbre.webhooks.endpoints import router as webhooks_router
from timbre.worker.consumer import start_inprocess

log = logging.getLogger("timbre")

DESCRIPTION = """Self-hostable CFDI 4.0 invoicing API speaking the gigstack API v2 wire format.

Authenticate with `Authorization: Bearer <API key>` (a bare key is accepted too). The key decides
the team and the mode (test or live). Add `?team=<id>` to act on another team of the same billing
account (gigstack Connect). Every POST accepts an `Idempotency-Key` header.

Guides with real requests and answers: [invoices](/docs/guides/invoices), [payments and
complements](/docs/guides/payments), [errors](/docs/guides/errors), and [all guides](/docs/guides).
"""


def _warm_cfdi() -> None:
    xsd.schema()
    rules_catalog()
    sandbox_pac()


def create_app(settings: Settings | None = None, *, start_consumer: bool = False) -> FastAPI:
    settings = settings or get_settings()
    redact.install()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        store.warm()  # catalog loading stays off the request path
        search.warm()  # so is building the product/unit key search index
        _warm_cfdi()  # SAT's schema compiled, the rules and their error catalog loaded, the sandbox PAC ready
        # The catalogs are ~400k objects that live as long as the process: keep the cyclic collector from
        # walking them on every full collection (it cost ~5 ms per invoice request).
        gc.collect()
        gc.freeze()
        consumer = None
        if start_consumer:

            consumer = start_inprocess()
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)

    app = FastAPI(
        title="Timbre API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/v2/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(TimbreError, handle_timbre_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(DataError, handle_data_error)
    app.add_exception_handler(OverflowError, handle_overflow)
    app.add_exception_handler(Exception, handle_unexpected)

    app.include_router(health_router)  # load balancers and Prometheus poll it: matched first
    # Routes match in order: the document-issuing ones, the hot path, go next. Each router is included in
    # the app itself (not through a "/v2" router): nested routers multiply FastAPI's matching work.
    api_routers = (invoices_router, eom_router, complements_router, drafts_router, payments_router, receipts_router,
                   customer_portal_router, clients_router, receipt_clients_router,
                   services_router, teams_router, sat_router, payment_integrations_router, users_router,
                   apikeys_router, catalogs_router, files_router, webhooks_router, events_router, retentions_router,
                   satlists_router, sat_mirror_router, sat_download_router, sat_sync_router,
                   tools_router)
    for router in api_routers:
        app.include_router(router, prefix="/v2")
    app.include_router(portal_router)
    app.include_router(guides_router)
    app.include_router(payment_page_router)
    app.include_router(self_invoice_router)
    app.include_router(customer_portal_page_router)
    app.add_middleware(IdempotencyMiddleware, settings=settings, authorize=authorize)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(RateLimitMiddleware, settings=settings, key_of=_key_id_of(settings))
    app.add_middleware(ContainErrorsMiddleware)  # no exception reaches the server (the connection stays usable)
    # Outermost: its request id is in every log line of the request, and its latency covers the whole of it.
    app.add_middleware(ObservabilityMiddleware, prefixed=prefixed_routes(("/v2", r) for r in api_routers))
    return app


def _key_id_of(settings: Settings) -> Callable[[str], str | None]:
    """The rate limiter's identity of a bearer token: the key id of a genuinely signed one (a cached check)."""
    def key_of(token: str) -> str | None:
        claims = tokens.verify(settings.secret(), token)
        return None if claims is None else claims.key_id

    return key_of


def create_server_app() -> FastAPI:
    """Entry point for uvicorn (`timbre serve`): embedded mode consumes jobs in-process."""
    settings = get_settings()
    return create_app(settings, start_consumer=settings.redis_url is None and settings.inprocess_jobs)
