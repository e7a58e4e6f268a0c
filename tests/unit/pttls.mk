# Unit tests of this area (none yet).
