"""Web: the FastAPI app (subscription pages, dashboard, read-only API, Atom feed)."""
