# Man pages and guides (none yet).
