from tests.invoices.conftest import ready, test_csd  # noqa: F401  # the invoice tests' ready team
