"""The fund file: its models (field types and validators), loading, validation, migration, dumping, and the NAV
and level histories it refers to."""
