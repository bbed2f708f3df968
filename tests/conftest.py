"""Shared test setup: every event log in the suite is strict, so an event
kind or field missing from dynamo_lab.catalogue fails the test that emits it."""
import os

os.environ.setdefault("DYNAMO_LAB_STRICT_EVENTS", "1")
