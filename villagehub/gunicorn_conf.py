"""gunicorn's settings for `villagehub serve --production` (or `gunicorn -c
python:villagehub.gunicorn_conf villagehub.wsgi:application`).

The application is loaded once, before the workers are forked, and so is the search's copy
of every document's filter values (`search.counts`, seconds to read at 400,000 documents):
each worker starts with it, shared with the others until one of them brings its own up to
date, instead of its first request waiting for it. The lemmatiser's dictionaries (about 80 MB,
two seconds to read) are loaded then too, for the same reason. All of it then lives as long
as the workers, so it is put out of the garbage collector's sight (`gc.freeze`): a worker's
collections look only at what its requests make, instead of going through everything loaded
here again each time a request leaves many objects behind (a batch of a thousand NGSI-LD
entities does), and they do not write to the memory the workers share.
"""

import gc
import logging

preload_app = True


def when_ready(server):
    from django.db import DatabaseError, connections

    from villagehub.search.analysis import query_groups
    from villagehub.search.counts import shared

    # A query word is lemmatised in every language: this loads every dictionary.
    query_groups("village")
    try:
        shared.current()
    except DatabaseError:
        # A database without its tables yet: the workers read the copy when asked.
        logging.getLogger(__name__).warning("search filter values not copied in advance")
    finally:
        # Connections must not cross the fork: each worker opens its own.
        connections.close_all()
    gc.freeze()
