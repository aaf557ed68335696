"""Text templates (Jinja2) shipped with the package as ``roadmap_office.templates``."""
