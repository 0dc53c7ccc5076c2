"""SAT's taxpayer lists (articles 69, 69-B and 69-B Bis of the CFF): import, list, check."""
