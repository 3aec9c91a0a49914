"""Digests: subscribers, the weekly digest's content, rendering (Jinja2) and delivery (SMTP or outbox)."""
