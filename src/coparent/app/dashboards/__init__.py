"""The reports behind the pages that show facts: scorecard, diagnosis, funnel and SLA, products."""
