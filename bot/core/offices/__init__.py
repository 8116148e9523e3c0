"""Offices, their branches and hours, and the places users name."""
