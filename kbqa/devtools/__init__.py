"""Developer tools: bench, stress, calibrate, doctor. Not imported by the serving path."""
