"""The scaled topology on one machine (``make run-scaled``): Rasa replicas and action servers behind nginx, on PostgreSQL and Redis."""
