"""Load benchmark: a seeded board, the real server (gunicorn as in the Procfile),
wrk as the load generator, every scenario as a ratio to a baseline in the same run."""
