# Fuzz harnesses (none yet). Add them inside 'if FUZZING'.
