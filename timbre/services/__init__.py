"""Services (products) a team sells: SAT keys, price and taxes, reused as invoice items."""
