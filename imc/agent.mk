# The IMC agent framework (none yet).
