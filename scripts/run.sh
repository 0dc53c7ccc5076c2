#!/usr/bin/env bash
# Installs Timbre, creates the first account if there is none, prints the URL and API keys, and serves
# on the embedded defaults (SQLite + in-process jobs). Idempotent. HOST/PORT may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
for tool in pdftotext pdftoppm zbarimg; do
  command -v "$tool" >/dev/null 2>&1 || echo "note: $tool is missing: POST /v2/clients/csf answers 503 until poppler-utils and zbar-tools are installed (bash scripts/system-deps.sh)" >&2
done
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export TIMBRE_PUBLIC_URL=${TIMBRE_PUBLIC_URL:-http://$HOST:$PORT}
.venv/bin/timbre bootstrap
exec .venv/bin/timbre serve --host "$HOST" --port "$PORT"
