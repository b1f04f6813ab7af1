"""Fund files from what a house has: the administrator's export (a workbook and its histories), its mapping, and
the prospectus texts of the legal team.

`importer.import_export` is the entry point. Its steps, from the bottom up: `mapping` (the export's format and a
house's renaming of it), `workbook` (the sheets as tables of rows, and the place of each value), `values` (a cell's
value converted exactly), `fund_import` (what the steps share), `histories` (the NAV, benchmark and proxy files),
`sections` (a fund's rows -> its fund file's sections), `prospectus` (the legal team's texts), `funds` (every fund
of the export built and judged by the model), `importer` (the fund files written)."""
