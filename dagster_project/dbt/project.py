"""The one DbtProject of the code location.

`@dbt_assets` reads dbt_project/target/manifest.json when it is imported, so the manifest
is prepared before Dagster loads: `make setup` and `make test` run
`dagster-dbt project prepare-and-package --file dagster_project/dbt/project.py`.
`prepare_if_dev` re-parses only under `dagster dev`, to pick up edits to the models.
"""

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

xmk_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
xmk_dbt_project.prepare_if_dev()
