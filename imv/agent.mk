# The IMV agent framework (none yet).
