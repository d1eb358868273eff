"""Beyond one machine: feeds polled by Celery workers over a Redis broker.

    storywire scheduler ─► Redis ─► storywire worker (any number, any host)
         (due feeds)                 fetch, extract ─► pending_articles
                                                         │
    storywire serve (any number) ◄── store ◄── storywire cluster (exactly one)

``storywire run`` does not use this package: it polls, clusters and serves in-process.
"""
