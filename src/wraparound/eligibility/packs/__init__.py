"""The rule packs shipped with Wraparound, as TOML files (loaded by ``eligibility.rulepacks``)."""
