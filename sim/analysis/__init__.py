"""Analysis of results: statistics shared by the report, the app and validation."""
