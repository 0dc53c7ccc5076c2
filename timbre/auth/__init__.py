"""API keys, roles and gigstack Connect team resolution."""
