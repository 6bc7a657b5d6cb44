"""Two-way communication: lead reviews, field insights and campaign briefs,
each waiting for the other side."""
