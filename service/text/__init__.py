"""Pure text handling: normalisation, sentence splitting, token budgets, language detection."""
