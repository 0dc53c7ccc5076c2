"""`python -m timbre.cli`, the same as `timbre`."""

from timbre.cli import main

main()
