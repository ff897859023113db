"""The baseline: the chapter built the way the Material, pymdown-extensions and Plotly docs show."""
