from tests.invoices.conftest import ready, test_csd  # noqa: F401  # the invoice tests' ready team
from tests.invoices.test_live_pac import finkok, live  # noqa: F401  # a live team and the replayed Finkok
