"""The dbt project (dbt_project/) as Dagster sees it."""
