"""The ``kg`` command: composes the core (``kg``) and the loaders, like ``api`` does.

``main`` assembles the parser and maps errors to exit codes; ``graph``, ``querying``,
``validating``, ``backups`` and ``serving`` each hold a family of commands.
"""
