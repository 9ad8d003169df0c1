"""What every published output shares: xlsx cells and styles (cells), atomic file writes
and safe names (files), the Jinja2 pages (html, over publish/templates/) and the Chinese
labels of months and weeks (labels)."""
