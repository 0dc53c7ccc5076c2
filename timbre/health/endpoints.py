"""`/health` (alive), `/ready` (database, queue and storage reachable), `/metrics` (Prometheus), gigstack's ping."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from timbre import __version__
from timbre.deps import SettingsDep
from timbre.health import checks
from timbre.kit import metrics
from timbre.kit.clock import now_ms

router = APIRouter(tags=["Health"])


@router.get("/health")
@router.get("/v2/health")
def health() -> dict[str, Any]:
    """Liveness: the process answers (it checks nothing else; see `/ready`)."""
    return {"success": True, "message": "ok", "data": {"status": "ok", "version": __version__},
            "timestamp": now_ms()}


@router.get("/ready", responses={503: {"description": "A dependency is unreachable"}})
def ready(settings: SettingsDep) -> JSONResponse:
    """Readiness: the database, the job queue and the file storage answer. 503 (with which one failed) takes
    the process out of a load balancer's rotation until they do."""
    results = checks.readiness(settings)
    if all(value == "ok" for value in results.values()):
        return JSONResponse({"success": True, "message": "ready", "data": {"status": "ready", "checks": results},
                             "timestamp": now_ms()})
    failed = ", ".join(name for name, value in results.items() if value != "ok")
    message = f"Not ready: {failed} unavailable"
    return JSONResponse({"success": False, "message": message,
                         "error": {"code": "not_ready", "message": message, "details": [results]}}, status_code=503)


@router.get("/metrics", response_class=Response,
            responses={200: {"description": "Prometheus text exposition", "content": {"text/plain": {}}}})
def prometheus() -> Response:
    """Prometheus metrics of every process of this host (multiprocess mode), plus the job queue's depth."""
    return Response(metrics.render(checks.queue_depth), media_type=metrics.CONTENT_TYPE)


@router.get("/v2/ping")
def ping() -> dict[str, Any]:
    """gigstack's ping."""
    return {"success": True, "message": "pong", "data": {"message": "pong", "version": "2.0.0"},
            "timestamp": now_ms()}
