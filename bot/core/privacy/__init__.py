"""Users' privacy: masking personal data, deleting conversations, the privacy notice."""
