"""Jinja2 templates of roadmap-office (reports), shipped inside the package as data."""
