"""Custom actions of the assistant, one module per domain.

rasa-sdk imports every module of this package and registers every concrete
Action subclass it finds.
"""
