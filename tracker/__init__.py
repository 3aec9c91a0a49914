"""The tracker: compares publications with the baseline commitments and explains why."""
