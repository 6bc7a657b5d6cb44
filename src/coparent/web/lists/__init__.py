"""The rows behind a number: a sortable, paginated list with CSV and Excel exports."""
