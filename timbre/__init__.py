"""Timbre: a self-hostable CFDI 4.0 invoicing API speaking the gigstack API v2 wire format."""

__version__ = "0.1.0"
