from __future__ import annotations

import logging

import pytest

from timbre.kit.redact import RedactSecrets, redact


class TestRedact:
    @pytest.mark.parametrize(("path", "expected"), [
        ("/reset-password/AbC_d-1", "/reset-password/[redacted]"),
        ("/login/tok123", "/login/[redacted]"),
        ("/onboarding/eyJh.eyJ0.sig", "/onboarding/[redacted]"),
        ("/pay/pl_tok/transfer", "/pay/[redacted]/transfer"),
        ("/v2/files/teams/t/a.pdf?expires=1&signature=ab12&filename=a.pdf",
         "/v2/files/teams/t/a.pdf?expires=1&signature=[redacted]&filename=a.pdf"),
    ])
    def test_link_secrets_are_redacted(self, path: str, expected: str) -> None:
        assert redact(path) == expected

    @pytest.mark.parametrize("path", ["/v2/users/user_1/reset-password", "/v2/users/user_1/login-link",
                                      "/v2/teams/team_1/onboarding-url", "/v2/invoices/payment/ABC", "/health"])
    def test_api_paths_are_left_alone(self, path: str) -> None:
        assert redact(path) == path

    def test_the_filter_keeps_the_access_records_shape(self) -> None:
        """uvicorn's access formatter unpacks (client, method, path, version, status)."""
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5000", "GET", "/login/secret-token", "1.1", 200), None)
        assert RedactSecrets().filter(record)
        assert record.args == ("127.0.0.1:5000", "GET", "/login/[redacted]", "1.1", 200)
        assert "secret-token" not in record.getMessage()
