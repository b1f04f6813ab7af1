"""The project's configuration (factsheets.toml): its schema, validated up front, every error listed."""
