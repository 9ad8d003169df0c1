"""The demo city (吉林市) and a synthetic province: reference data and a generator of the
messy monthly workbooks their submitters send, so that every stage can be run and shown
without real data."""
