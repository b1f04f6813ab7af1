"""Exports to the industry's formats: the FinDatEx European PRIIPs Template (`ept`), one row per share class the
house makes a KID for, from the KID's own figures."""
