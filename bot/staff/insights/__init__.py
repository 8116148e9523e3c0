"""Figures for the people who run the assistant: daily counts from the event broker, the Insights page, the monthly report.

``aggregate``: the job that turns the event broker's events into daily counts;
``figures``: the counts of a period, small numbers hidden; ``charts``: inline
SVG. docs/insights.md describes the design.
"""
