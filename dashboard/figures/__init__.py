"""Pure figure functions: DataFrames in, ``go.Figure`` out; one function per chart.

The browser, presentation mode and the exported images all draw with these, in the
theme of their medium (:mod:`dashboard.theme`).
"""
