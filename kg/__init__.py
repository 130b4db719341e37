"""The core of converge-kg: no Flask, no command line, no loader — the rest builds on it.

- ``store/`` — where the graph is kept: the store protocol, embedded Oxigraph, any remote
  SPARQL 1.1 engine, backups;
- ``sparql/`` — SPARQL text and its execution: the one lexer, rewrites, guards, the SERVICE
  policy, result formats, the query workers and the executor that applies every limit;
- ``queries/`` — the catalog of named questions (``queries/**/*.rq``): parsing, typed
  parameters, pages of results;
- ``validation/`` — SHACL: shapes and profiles, documents to validate, the in-context
  checks, the validation service and its reports;
- ``records/`` — read models: one thing of the graph (or a list) as JSON-ready dicts;
- foundation modules: ``settings`` (every ``KG_*`` setting), ``errors`` (one error
  vocabulary), ``namespaces``, ``rdf_guards``, ``processes``, ``progress``.

See docs/architecture.md for the layers and the rules that keep them.
"""
