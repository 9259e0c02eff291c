"""A SimpleLogin-shaped WSGI app for gwarden: `gunicorn --chdir example app:app`.

Like SimpleLogin (wsgi.py -> server.create_app), importing this module pulls in Flask, SQLAlchemy
(ORM models + an engine) and cryptography, and builds the Flask app. The pieces live in the
`gwarden_example` package (named so it cannot clash with an app's own `app` package):

    gwarden_example/faults.py   import-time faults and ballast, driven by environment variables
    gwarden_example/db.py       engine, ORM model, Session (SQLite by default, PostgreSQL on demand)
    gwarden_example/web.py      the Flask app and its endpoints

See README.md for the endpoints and the environment variables.
"""
from gwarden_example import faults

# Heavy imports first (what a real app pays), then the import-time faults, then the app itself.
from gwarden_example import db  # noqa: E402  (Flask, SQLAlchemy, cryptography, psycopg2 if asked)
from gwarden_example.web import create_app  # noqa: E402

faults.at_import()
app = create_app()
