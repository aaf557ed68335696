"""roadmap-office: district roadmaps (дорожные карты) for municipal education departments.

The public API: the model, the deadline parser, and reading/writing the district master.
"""

from __future__ import annotations

from .deadlines import parse_deadline as parse_deadline
from .errors import MasterError as MasterError
from .errors import RoadmapError as RoadmapError
from .master import read_master as read_master
from .master import write_master as write_master
from .model import Deadline as Deadline
from .model import Executor as Executor
from .model import Indicator as Indicator
from .model import Item as Item
from .model import Roadmap as Roadmap
from .model import School as School
from .model import Section as Section

__version__ = "0.1.0"
