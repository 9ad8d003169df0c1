"""The one DbtProject of the code location.

`@dbt_assets` reads dbt_project/target/manifest.json when it is imported, so the manifest
is prepared before Dagster loads: `make setup` and `make test` run
`dagster-dbt project prepare-and-package --file dagster_project/dbt/project.py`.
Under `dg dev` / `dagster dev` the project is parsed again when the definitions load, to
pick up edits to the models — with the dbt beside this interpreter, as every run uses,
not whichever `dbt` is on PATH (there may be none: `.venv/bin/dg dev` called by its path).
"""

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.dbt.commands import dbt_executable
from dagster_project.settings import DBT_PROJECT_DIR

xmk_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if xmk_dbt_project.preparer.using_dagster_dev():
    DbtCliResource(project_dir=xmk_dbt_project, dbt_executable=dbt_executable()).cli(
        ["parse", "--quiet"], target_path=xmk_dbt_project.target_path
    ).wait()
