"""Figures computed from a fund's histories: performance (PERFORMANCE.md) and the PRIIPs KID's risk, scenarios and costs."""
