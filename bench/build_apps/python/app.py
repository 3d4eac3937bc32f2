"""The benchmark's Python app: a small Flask service that imports everything it installs."""
import importlib.util

import dateutil
import docopt
import dotenv
import flask
import marshmallow
import psycopg2
import redis
import requests
import sqlalchemy

VERSION = "v1"
app = flask.Flask(__name__)


@app.get("/")
def index():
    return {"version": VERSION}


if __name__ == "__main__":
    used = (dateutil, docopt, dotenv, marshmallow, psycopg2, redis, requests, sqlalchemy)
    extra = [name for name in ("yaml",) if importlib.util.find_spec(name)]
    print("ok", VERSION, len(used), *extra)
