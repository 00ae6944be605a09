"""Checks over catalog entries and submissions: schema, policy rules, FAIR, label tables, data files."""
