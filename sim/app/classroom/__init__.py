"""The classroom (issue 15): a teacher opens a room, students play seats of the commons game or
the NHS place game, and agents of the model fill the other seats.

`room.Room` is one class session; `rooms.ROOMS` the process-wide registry (the room layer:
room.py, rooms.py, game_world.py, treatments.py, inputs.py, talk.py, views.py, records.py and
debrief.py, with no user interface). The pages are built on them in teacher_view.py,
student_view.py, debrief_view.py, charts.py, data_panel.py, words.py, address.py, ui_state.py
and resume.py, served by sim/app/classroom_app.py (`make classroom`). In short::

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
