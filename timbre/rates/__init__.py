"""Exchange rates: Banxico's FIX per currency and day, and SAT's allowed TipoCambio variation (CFDI40118)."""
