"""Signed download links for stored files (XML, PDF, support documents)."""
