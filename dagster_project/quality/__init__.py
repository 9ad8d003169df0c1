"""Data-quality failures: what is wrong in a submission, where, and how to fix it."""
