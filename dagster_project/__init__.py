"""xmk (项目库)."""

import os

# openpyxl parses with lxml whenever lxml is installed (python-docx brings it), and then
# skips defusedxml, the guard against XML entity bombs in a county's workbook. Keep it on
# the standard library parser, which defusedxml protects, in this process and its workers.
os.environ["OPENPYXL_LXML"] = "False"
