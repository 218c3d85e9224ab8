"""The classroom (issue 15): a teacher opens a room, students play seats of the commons game or
the NHS place game, and agents of the model fill the other seats.

`room.Room` is one class session; `rooms.ROOMS` the process-wide registry. No user interface
here: the pages are built on these classes.
"""
