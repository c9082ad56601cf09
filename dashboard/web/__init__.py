"""The web: the app factory (:mod:`.app`), its pages and components, sign-in (:mod:`.auth`),
upload, security headers (:mod:`.security`) and error pages (:mod:`.errors`).

The top floor of the house: it may import every layer below it; nothing below imports it.
"""
