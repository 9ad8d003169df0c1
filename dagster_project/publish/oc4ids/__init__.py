"""The project library as an OC4IDS (Open Contracting for Infrastructure Data Standard)
project package: `xmk export oc4ids`. codes.py maps the city's values to OC4IDS codelists,
package.py builds the package, export.py reads the published snapshot and writes the file;
schema/ holds the vendored OC4IDS schema and codelists it follows."""
