"""Fund files from what a house has: the administrator's export (a workbook and its histories), its mapping, and
the prospectus texts of the legal team."""
