"""Layout components shared by the pages (pure functions of what they show)."""
