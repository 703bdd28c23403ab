"""Member-month billing: rule packs (``packs/*.toml``), the set-based engine, the monthly report, locks."""
