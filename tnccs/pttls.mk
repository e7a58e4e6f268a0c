# Sources of tnccs/ for this area (none yet).
