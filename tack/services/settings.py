"""The running app's typed settings, for services that depend on one (defer days...)."""
from flask import current_app

from tack.config import Config


def settings() -> Config:
    return current_app.config["TACK"]
