"""The rows behind the numbers: the leads and deals each count, rate and bridge bar opens."""
