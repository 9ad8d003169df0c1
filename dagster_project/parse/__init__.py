"""Pure parsers that turn one messy cell value into a typed value or a CellError."""
