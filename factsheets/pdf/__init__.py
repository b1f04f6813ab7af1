"""Reading a finished PDF: its text and statements, legibility, glyphs, printed figures, XMP record and layout."""
