"""Running the Dagster job from the command line."""
