"""The exception tree. Messages are Russian, for users; the CLI maps classes to exit codes."""

from __future__ import annotations


class RoadmapError(Exception):
    """Root of every error roadmap-office reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, file: str = "", sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"файл «{self.file}»" if self.file else "",
                f"лист «{self.sheet}»" if self.sheet else "",
                f"ячейка {self.cell}" if self.cell else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class MasterError(RoadmapError):
    """The district master workbook cannot be read or is inconsistent."""


class DocumentImportError(RoadmapError):
    """A roadmap document cannot be imported."""
