"""Pure figure functions: DataFrames in, a :class:`spec.Figure` (plain data) out; one
function per chart.

The browser, presentation mode and the exported images all draw with these, in the
theme of their medium (:mod:`dashboard.figures.theme`); :mod:`common` plans where every text
goes so that nothing collides and nothing is cut in any of them.
"""
