"""The instructor's kit: tools for whoever runs a room, not for the lessons.

It sits above every other layer (like :mod:`dynamo_lab.cli`): it may import
the engines, the views and the exercises, and nothing imports it.
"""
