from __future__ import annotations

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Service


class ServiceRepository(TeamScopedRepository[Service]):
    model = Service
