"""`xmk-dbt`: dbt's own command line, in a process that dies with the run that started it
(orchestration/children.py). The Dagster asset runs dbt through it."""

from __future__ import annotations

import sys

from dagster_project.orchestration.children import leave_with_parent


def main() -> int:
    leave_with_parent()
    from dbt.cli.main import cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
