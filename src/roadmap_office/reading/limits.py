"""The limits a file must stay within before any spreadsheet library reads it (one place).

A school's report is a few hundred cells and well under 1 MB; the limits leave a wide margin
for real files (a master of a region, a roadmap document) while keeping every reader's memory
and time bounded, whatever a file declares about itself.
"""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 2**20  # checked before the file is read into memory
MAX_MEMBERS = 1_000  # parts inside the zip container
MAX_INFLATED_BYTES = 256 * 2**20  # all parts together, counted while inflating
WALK_BYTES = 8 * 2**20  # an XML part up to this size is parsed whole (fast); a larger one as a stream
MAX_RATIO = 200  # inflated / compressed bytes of one part (over 1 MB): a zip bomb
RATIO_FROM_BYTES = 2**20
MAX_SHEETS = 64
MAX_ROWS = 10_000  # the last row that holds a value, per sheet
MAX_COLUMNS = 256  # the last column that holds a value, per sheet
MAX_CELLS = 2_000_000  # rows x columns of the used areas of all sheets together
MAX_TEXT = 32_767  # characters a cell can hold in Excel; longer text is cut (and said so)
WORKER_MEMORY_BYTES = 3 * 2**30  # address space of a process that reads submissions
FILE_SECONDS = 120  # one file's reading and checking in a worker process
