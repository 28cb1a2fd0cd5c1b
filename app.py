"""gunicorn entry point: `gunicorn -c gunicorn.conf.py app:app`."""
from tack import create_app

app = create_app()
