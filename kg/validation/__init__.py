"""SHACL validation of the graph and of the documents stewards submit.

``shapes`` (load and check the shapes, run pySHACL, findings that name their value) ·
``prepared`` (pySHACL's SPARQL parsed once) · ``profiles`` (which shapes a kind of document
is checked against) · ``custom`` (a steward's own shapes) · ``documents`` (a submitted text
parsed) · ``locate`` and ``yaml_fields`` (the line, and the YAML field, of each finding) ·
``reach`` (how far the shapes look) and ``context`` (a document's neighbourhood in the store,
the checks SHACL cannot make alone) · ``workers`` (pySHACL in kept worker processes) ·
``checker`` (the validation service) · ``reports`` (JSON, CSV, Turtle, text and HTML
reports) · ``contribution`` (a valid toolkit resource as RDMkit's tool-list entry).
"""
