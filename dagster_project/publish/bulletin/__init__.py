"""The monthly 擂台 通报 (三(三)): content read from the marts (content.py), composed into
eight sections (sections.py, tables.py), rendered as a Word document (word.py) and its PDF
(pdf.py), a page with a page per region (page.py, drilldown.py) and a workbook
(workbook.py), written by writer.py."""
