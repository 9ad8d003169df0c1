"""The one error a cell parser raises.

Its message is shown to the county clerk who filled in the cell, so it is Chinese, names
the value as written, and says what to write instead.
"""

from __future__ import annotations


class CellError(ValueError):
    """A cell value that cannot be read; ``str(exc)`` is the reason for the clerk."""
