"""The sources of the graph: one module per source kind, and the pipeline that loads them.

Each loader reads its source into RDF quads for one named graph and never touches the
store; ``pipeline`` validates them against the shapes and replaces the source's graph
atomically, with its provenance.
"""
