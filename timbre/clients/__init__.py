"""Clients (CFDI receivers): RFC rules, fiscal-data validation and the SAT 69-B list."""
