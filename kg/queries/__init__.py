"""The named questions of ``queries/<area>/<verb_noun>.rq``.

``catalog`` (the loaded catalog and its queries) · ``parse`` (a query file's header,
parameters, example and SPARQL checked) · ``parameters`` (typed values bound as RDF terms)
· ``pages`` (a page of a result: decoded, counted, rendered) · ``files`` (a query's text by
name, for fixed internal questions).
"""
