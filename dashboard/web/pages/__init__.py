"""One module per view, registered with ``dash.register_page``."""
