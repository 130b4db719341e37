"""SPARQL text and its execution.

``lexer`` (the one lexer) · ``rewrite`` (parameters bound as VALUES, the update dataset) ·
``guards`` (nesting and size limits) · ``service`` and ``addresses`` (which SERVICE
endpoints and outbound addresses may be reached) · ``probe`` (federated endpoints asked
first) · ``formats`` (result serialisations) · ``workers`` (queries in killable
processes) · ``execution`` (the executor: every limit, for every caller).
"""
