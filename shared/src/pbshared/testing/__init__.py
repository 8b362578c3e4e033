"""Real parts for tests: a Tansu broker started per test, PostgreSQL databases per service.

Integration tests never fall back to fakes: if PostgreSQL or the broker cannot be started, the
fixture fails with a message saying why, and the run goes red.
"""
