"""Submissions -> raw cells and metadata, read safely (size limits, no entities, no formulas run)."""

from .container import ContainerError, inspect_container
from .submission import RawSubmission, SubmissionReadError, read_submission

__all__ = ["ContainerError", "RawSubmission", "SubmissionReadError", "inspect_container", "read_submission"]
