.PHONY: run test install lint bench
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
install:
	bash scripts/install.sh test
lint:
	.venv/bin/ruff check timbre tests bench migrations scripts && .venv/bin/mypy
