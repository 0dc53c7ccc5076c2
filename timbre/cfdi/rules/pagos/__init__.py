"""SAT's Pagos 2.0 rules (CRP20xxx), one file per node of the complement."""
