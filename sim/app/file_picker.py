"""A labelled file picker for the app: a real `<input type="file">` inside its label (reachable
with the keyboard and named for screen readers) that also takes a file dropped on it.

Solara's `FileDrop` is a drop zone only (no keyboard access, no label); this is the same upload
machinery (`ipyvuetify.extra.FileInput`) with an accessible template, `file_picker.vue`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara
import traitlets
from ipyvue import Template
from ipyvuetify.extra import FileInput
from ipywidgets import widget_serialization


class FilePickerWidget(FileInput):
    """`FileInput` with the labelled input-and-drop template."""

    template = traitlets.Instance(Template).tag(sync=True, **widget_serialization)
    template_file = (__file__, "file_picker.vue")
    label = traitlets.Unicode().tag(sync=True)
    multiple = traitlets.Bool(False).tag(sync=True)


@solara.component
def FilePicker(label: str, on_file: Callable[[str, bytes], None], accept: str = ""):
    """Calls `on_file(name, data)` with each file chosen or dropped."""
    file_info, set_file_info = solara.use_state(None)
    files, set_files = solara.use_state(None)
    picker = FilePickerWidget.element(label=label, accept=accept, on_file_info=set_file_info)

    def wire():
        if not file_info:
            return
        real = solara.get_widget(picker)
        real.version += 1
        real.reset_stats()
        set_files(real.get_files())

    solara.use_effect(wire, [file_info])

    def read(cancel: threading.Event):
        if files:
            on_file(files[0]["name"], files[0]["file_obj"].read())

    result = solara.use_thread(read, [files])
    if result.error:
        raise result.error
    return picker
