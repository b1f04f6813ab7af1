"""Writing a PDF: Jinja2 templates and styles through WeasyPrint, PDF/A and tagging, the inputs hash, the locked
resource fetcher."""
