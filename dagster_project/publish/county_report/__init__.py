"""County data-quality reports (SPEC §4): for one submitter and one month, under
`<out>/reports/<YYYY-MM>/<code>_<name>/`,

* `数据质量报告_<name>_<YYYY年M月>.xlsx` — a 汇总 sheet (verdict; by when to send the
  corrected file, under which name, whom to call; counts by file and sheet and by rule,
  file-level problems, which workbooks came back annotated) and a 明细 sheet with one row
  per failure (workbook.py);
* the same report as self-contained HTML (page.py, templates/county_report.html);
* `<original name>_标注.xlsx` — the county's own workbook with each offending cell
  coloured and commented, so the clerk fixes the file they know instead of reading
  coordinates (marking.py).

What the clerk reads is Chinese: a problem is named by its rule's Chinese name
(quality/rules.py) and a refusal by its Chinese reason; the rule ids and the refusals'
English glosses go to the last column, 规则编号, for the project centre. Both formats show
one ReportContent (content.py); the guidance it gives comes from guidance.py.

A report holds only its own region's rows: `run.write_county_report` refuses anything
else, and `run.write_all_reports` groups failures by (region, month) before writing. Every
report cell is written through `render.cells.write_text_cell`, so nothing a county typed
can become a formula.

A report is written again only when what it would say has changed (store.py): a nightly
run with nothing new leaves every report, and its modification time, as it was.
"""
