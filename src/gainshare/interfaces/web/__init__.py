"""Server-rendered pages (Jinja2 + NHS.UK frontend) over the same workspace services as the JSON API."""
