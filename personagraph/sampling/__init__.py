"""Coverage-aware batch selection: strata, strategies, the carver, the usage ledger, coverage."""
