"""Extraction of one page: ordered extractors per field, site selectors first, generic fallbacks after."""
