"""A personal plan of the move (issue 21): a short interview, and the knowledge-base entries that fit its answers.

``model`` holds the content of ``plan.yml``, ``loader`` reads it, ``check``
tells what is wrong with it, ``answers`` reads a person's replies and
``build`` makes the plan. Standard library and PyYAML only: the staff app,
which has no Rasa, uses this package too.
"""
