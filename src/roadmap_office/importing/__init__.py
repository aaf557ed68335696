"""Roadmap documents (text extracts, and later ODT/DOCX/ODS/XLSX tables) -> the model."""

from .text import ImportReport, clean_cell, import_text

__all__ = ["ImportReport", "clean_cell", "import_text"]
