"""The county portal (SPEC §9): `xmk serve`, a web application on the city's intranet where
the submitters upload their workbooks, see the self-check in seconds, confirm, and follow
their reports; and where the project centre watches who has sent what (报送进度).

* `config.py` — where the portal keeps its state, its limits and deadlines;
* `users.py` — accounts, password hashes, sessions and login throttling (SQLite);
* `uploads.py` — an upload from the guards to the self-check and its confirmation;
* `landing.py` — a confirmed file written into raw/ with its receipt;
* `progress.py` — the 报送进度 board and the 催报 reminders;
* `views.py` — what a user may see of the warehouse, the snapshot and the reports;
* `app.py` — the Starlette application: pages and the JSON API.
"""
