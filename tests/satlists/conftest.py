from tests.invoices.conftest import ready, test_csd  # noqa: F401  # a team ready to invoice, for the warnings
