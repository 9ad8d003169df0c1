"""The official submission workbook (`xmk template`) that counties fill in."""
