"""Experiments: TOML files (spec), designs, the runner, the results store, the report and the CLI."""
