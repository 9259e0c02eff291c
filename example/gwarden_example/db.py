"""Engine, ORM model and Session, shaped like SimpleLogin's app/db.py and app/models.py.

DATABASE_URL=postgresql://... uses PostgreSQL through psycopg2; otherwise SQLite in a file
($GWARDEN_EXAMPLE_DB, default example/var/app.sqlite). Tables are created at first use, not at
import, so a preloading master holds no connection (unless CONNECT_AT_IMPORT=1 asks for one).
"""
import os
import threading
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import Column, DateTime, Integer, String, Text, create_engine, select
from sqlalchemy.exc import OperationalError, ProgrammingError, IntegrityError
from sqlalchemy.orm import declarative_base, scoped_session, sessionmaker

HERE = os.path.dirname(os.path.abspath(__file__))


def database_url():
    """The URL to connect to: DATABASE_URL, or a SQLite file under a writable directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    path = os.environ.get("GWARDEN_EXAMPLE_DB") or os.path.join(HERE, "..", "var", "app.sqlite")
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return "sqlite:///" + path


URL = database_url()
if URL.startswith("postgresql"):
    import psycopg2  # noqa: F401  (imported eagerly, as SimpleLogin does)

    engine = create_engine(URL, connect_args={"application_name": "gwarden-example"})
else:
    # Several workers share the file: wait for locks instead of failing at once.
    engine = create_engine(URL, connect_args={"timeout": 30})

Base = declarative_base()


class Alias(Base):
    """An email alias, the row SimpleLogin serves most; the mailbox is stored encrypted."""

    __tablename__ = "alias"
    id = Column(Integer, primary_key=True)
    email = Column(String(128), nullable=False)
    mailbox_encrypted = Column(Text, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow, nullable=False)


# A fixed key: this is an example, the point is to exercise cryptography at request time.
FERNET = Fernet(b"Z3dhcmRlbi1leGFtcGxlLWtleS0zMmJ5dGVzLWxvbmc=")

if os.environ.get("CONNECT_AT_IMPORT") == "1":
    # SimpleLogin's app/db.py: one connection opened at import, the Session bound to it. Under
    # --preload every worker inherits this one socket, which breaks with PostgreSQL.
    connection = engine.connect()
    Session = scoped_session(sessionmaker(bind=connection))
else:
    connection = None
    Session = scoped_session(sessionmaker(bind=engine))

_tables_ready = False
_tables_lock = threading.Lock()


def ensure_tables():
    """Creates the tables once per process; safe when several workers race to do it."""
    global _tables_ready
    if _tables_ready:
        return
    with _tables_lock:
        if _tables_ready:
            return
        bind = connection if connection is not None else engine
        try:
            Base.metadata.create_all(bind, checkfirst=True)
        except (OperationalError, ProgrammingError, IntegrityError) as error:
            # Another worker created the table between our check and our CREATE TABLE.
            if "already exists" not in str(error) and "duplicate key" not in str(error):
                raise
            if connection is not None:
                connection.rollback()
        if connection is not None and connection.in_transaction():
            connection.commit()
        _tables_ready = True


def write_and_read(email):
    """Inserts one alias and reads back the count and the newest row (the /db endpoint)."""
    ensure_tables()
    session = Session()
    try:
        alias = Alias(email=email, mailbox_encrypted=FERNET.encrypt(b"mailbox@example.org").decode())
        session.add(alias)
        session.commit()
        count = session.query(Alias).count()
        newest = session.execute(select(Alias).order_by(Alias.id.desc()).limit(1)).scalar_one()
        mailbox = FERNET.decrypt(newest.mailbox_encrypted.encode()).decode()
        return {"count": count, "id": newest.id, "mailbox": mailbox}
    except Exception:
        session.rollback()
        raise
    finally:
        Session.remove()
