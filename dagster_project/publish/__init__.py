"""What leaves the warehouse: county data-quality reports and their delivery by e-mail."""
