"""What each document shows: the document types, the statement libraries, the labels, the localised values,
charts, and the factsheet, key facts and KID views."""
