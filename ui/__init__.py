"""Qt widgets of Matrix Network Lab.

Each widget takes plain data (numpy arrays, engine spec dataclasses) and emits Qt
signals; none of them runs compute. The app package wires them to the engine.
"""
