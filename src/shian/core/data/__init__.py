"""Reference tables from national standards and official code lists, each with its cited source.

Python modules rather than JSON files so that they ship with the package like any other code; every
table is a plain mapping that a deployment may extend (see the module docstrings)."""
