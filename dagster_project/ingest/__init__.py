"""Getting files from raw/ into the warehouse's raw schema."""
