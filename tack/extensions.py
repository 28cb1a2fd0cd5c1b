"""Extensions, created unbound here and bound to the app in create_app()."""
from apscheduler.schedulers.background import BackgroundScheduler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# expire_on_commit=False: a service returns what it changed without a re-read.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
scheduler = BackgroundScheduler(timezone="UTC")
# Only routes that ask for a limit are limited (no default limits).
limiter = Limiter(key_func=get_remote_address)
