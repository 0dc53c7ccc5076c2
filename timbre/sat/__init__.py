"""The team's connection to SAT: its CSD (certificado de sello digital), uploaded, checked and kept
encrypted, and loaded back to seal documents."""
