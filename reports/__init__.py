"""Reports: the Jinja environment, briefings and health-check reports."""
