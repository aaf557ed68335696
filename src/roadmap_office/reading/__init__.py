"""Submissions -> raw cells and metadata, read safely in one pass (size limits, no entities,
no formulas run). By job: :mod:`.zipsafe` the zip container, :mod:`.xmlevents` the tokenizer
and the XML policy, :mod:`.book` the workbook and its limits, :mod:`.ods` and :mod:`.xlsx`
the parts of each format, :mod:`.submission` a school's file."""

from .book import Book, read_book
from .submission import RawSubmission, SubmissionReadError, read_submission
from .zipsafe import ContainerError

__all__ = ["Book", "ContainerError", "RawSubmission", "SubmissionReadError", "read_book", "read_submission"]
