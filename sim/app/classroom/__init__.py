"""The classroom (issue 15): a teacher opens a room, students play seats of the commons game or
the NHS place game, and agents of the model fill the other seats.

`room.Room` is one class session; `rooms.ROOMS` the process-wide registry. No user interface
here: the pages are built on these classes. In short::

    from sim.app.classroom.rooms import ROOMS
    from sim.app.classroom.room import RoomError

    room = ROOMS.open(game="commons", seats=8, rounds_per_block=10)   # the teacher
    token = ROOMS.get(room.code).join()                               # a student's browser
    room.start()
    room.submit(token, 7)              # RoomError: one line for the page to show
    room.snapshot()                    # the projector; poll `room.version` to redraw
    room.player_view(token)            # the student's page
    room.save("results/classroom")     # CSV and Parquet; room.debrief() for the debrief
"""
