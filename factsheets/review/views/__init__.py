"""The review page's handlers, by concern. Each takes the shared ReviewState (state.py) as its
first argument and the request as its second; app.py binds the first and routes them.

- `pages`: rendering a page, the way to the log-in page, the 403 and 404 pages.
- `login`: log-in and log-out.
- `listing`: the list of documents, with its filters.
- `document`: one document: its status, previews, statements, history and the diff against its
  last approved version.
- `decisions`: submit, approve and reject.
- `files`: the PDF itself, page previews and visual diffs.
"""
