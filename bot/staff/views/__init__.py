"""The pages of the staff app, one module per area."""
