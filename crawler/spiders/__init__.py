"""One spider per site, on a shared base (`base.py`)."""
