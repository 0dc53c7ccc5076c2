"""The exchange-rate API tests reuse the invoice tests' team, CSD and client (all made through the API)."""

from tests.invoices.conftest import ready, ready_factory, test_csd

__all__ = ["ready", "ready_factory", "test_csd"]
