"""Consolidation -> outputs: the consolidated workbook (XLSX, ODS) and the ODT report."""

from .report import write_report
from .workbook import consolidated_workbook

__all__ = ["consolidated_workbook", "write_report"]
