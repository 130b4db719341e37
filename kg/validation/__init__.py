"""SHACL validation of the graph and of the documents stewards submit.

``shapes`` (load and check the shapes, run pySHACL, findings) · ``profiles`` (which shapes
a kind of document is checked against) · ``documents`` (a submitted text parsed, with the
line of each subject) · ``context`` (a document's neighbourhood in the store and the checks
SHACL cannot make alone) · ``workers`` (pySHACL in kept worker processes) · ``checker``
(the validation service) · ``reports`` (JSON, CSV, Turtle, text and HTML reports).
"""
