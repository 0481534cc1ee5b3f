"""Markup through the model: inline elements as placeholders inside whole sentences, put back afterwards.

`placeholders` is pure (strings in, a tree of placed slots out); `tree` reads and rebuilds lxml trees
with it; `documents` turns a text of a given format into the engine's lines and back.
"""
