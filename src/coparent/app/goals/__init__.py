"""The shared goal per period with team sub-goals, and the SLA terms both teams agreed on."""
