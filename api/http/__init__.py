"""The HTTP helpers every route shares; no routes here.

- :mod:`api.http.context` — the app's store, settings and catalog from a request handler
- :mod:`api.http.errors` — the JSON error shape and :data:`~api.http.errors.KG_ERRORS`, the
  one table from the core's errors to HTTP statuses
- :mod:`api.http.auth` — the bearer token that writes need
- :mod:`api.http.negotiation` — the one content negotiator (``format`` parameter, ``Accept``)
- :mod:`api.http.params` — query-string readers: single values, counts, paging, filters
- :mod:`api.http.execution` — queries through the core's executor, every limit applied
- :mod:`api.http.rdf` — triples answered in the negotiated RDF format; this server's
  SPARQL endpoint IRI
- :mod:`api.http.hooks` — what every response gets: CORS, ETag/Last-Modified and 304, gzip,
  the access log and the request metrics
- :mod:`api.http.metrics` — the service's own counters (served by :mod:`api.metrics`)
- :mod:`api.http.templates` — the HTML pages' template filters and navigation bar
- :mod:`api.http.openapi` and :mod:`api.http.openapi_components` — building blocks of the
  ``OPENAPI_PATHS`` each route module declares, and the shared components

Route modules (``api/*.py``) import from here and from the core, never from each other.
"""
