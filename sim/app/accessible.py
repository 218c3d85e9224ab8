"""Accessibility helpers for the page: its language, skip links to the main sections and their
targets, and plots with alt text (a screen reader reads the text instead of the image)."""

from __future__ import annotations

import ipyvue
import reacton.ipywidgets as rw
import solara
import traitlets

LANGUAGE = "en-GB"
# The targets of the skip links, in page order: (id, link text).
SKIP_TARGETS = (
    ("cc-results", "Skip to the run controls and results"),
    ("cc-share", "Skip to save, share and export"),
)
CSS = """
.cc-skip { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.cc-skip:focus { width: auto; height: auto; clip: auto; left: 8px; top: 4px; z-index: 1000;
  padding: 6px 10px; background: #fff; color: #1b3a8c; border: 2px solid #1b3a8c;
  font-weight: bold; }
.cc-anchor:focus { outline: none; }
.cc-plot-frame { position: relative; }
.cc-plot-frame img { display: block; margin: 0; }
.cc-hover { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.cc-area { position: absolute; }
.cc-area:hover { background: rgba(27, 58, 140, 0.08); }
"""


class _PageSetup(ipyvue.VueTemplate):
    """Sets the document's language, lets the page zoom (Solara's template sets neither) and
    names the selects' inputs as comboboxes for screen readers."""

    language = traitlets.Unicode(LANGUAGE).tag(sync=True)
    template = traitlets.Unicode(
        """<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    document.documentElement.lang = this.language;
    const meta = document.querySelector('meta[name="viewport"]');
    if (meta) { meta.content = "width=device-width, initial-scale=1"; }
    // Vuetify 2's select wraps its labelled input in a role="button": an interactive control
    // inside another, which hides the input from screen readers. Make the input itself the
    // combobox (the ARIA 1.2 select-only pattern) and keep its state in step with the menu.
    const fix = () => {
      document.querySelectorAll('.v-input__slot[aria-owns], .v-input__slot[role="button"]')
        .forEach(slot => {
          const input = slot.querySelector('input');
          if (!input) { return; }
          input.setAttribute('role', 'combobox');
          input.setAttribute('aria-haspopup', 'listbox');
          const owns = slot.getAttribute('aria-owns');
          if (owns) { input.setAttribute('aria-controls', owns); }
          input.setAttribute('aria-expanded', slot.getAttribute('aria-expanded') || 'false');
          for (const name of ['role', 'aria-owns', 'aria-haspopup', 'aria-expanded']) {
            slot.removeAttribute(name);
          }
        });
    };
    const name = () => {
      // Solara's busy bar and the page's progress bars: a name for screen readers.
      document.querySelectorAll('[role="progressbar"]:not([aria-label])')
        .forEach(bar => bar.setAttribute('aria-label', 'Working'));
      // Solara's own busy bar sits outside every landmark (axe: region); the page says in
      // words what it is working on, so the bar is left to the eye.
      document.querySelectorAll('.v-application--wrap > [role="progressbar"]:not([aria-hidden])')
        .forEach(bar => bar.setAttribute('aria-hidden', 'true'));
    };
    const both = () => { fix(); name(); };
    fix();
    name();
    this.observer = new MutationObserver(both);
    this.observer.observe(document.body, {
      subtree: true, childList: true, attributes: true,
      attributeFilter: ['role', 'aria-owns', 'aria-expanded'],
    });
  },
  destroyed() {
    if (this.observer) { this.observer.disconnect(); }
  }
}
</script>"""
    ).tag(sync=True)


@solara.component
def PageSetup():
    """The page language and zoom, and the skip links' style."""
    # Both made, neither returned: a component that returns one element drops the others it made
    # (the style was lost that way, and the skip links showed on the page).
    solara.Style(CSS)
    _PageSetup.element()


@solara.component
def SkipLinks():
    """Links a keyboard user reaches first: straight to the results or to sharing."""
    with solara.Row(gap="0px"):
        for target, text in SKIP_TARGETS:
            link = {"href": f"#{target}"}
            solara.v.Html(tag="a", attributes=link, children=[text], class_="cc-skip")


@solara.component
def Anchor(target: str):
    """The target of a skip link (focusable, so the next Tab starts there)."""
    solara.v.Html(tag="div", attributes={"id": target, "tabindex": "-1"}, class_="cc-anchor")


@solara.component
def AltImage(image: bytes, name: str, alt: str, hover: str = ""):
    """A PNG plot named by `alt` for assistive technology (the image itself is hidden from it),
    with its values on hover: `hover` is a layer of titled areas over the image
    (`sim.app.hover.areas_html`), placed in percent of the image's size."""
    with (
        solara.v.Html(
            tag="div",
            attributes={"role": "img", "aria-label": alt},
            class_=f"cc-plot cc-plot-{name}",
        ),
        solara.v.Html(tag="div", attributes={"aria-hidden": "true"}, class_="cc-plot-frame"),
    ):
        rw.Image(
            value=image, format="png", layout={"width": "100%", "height": "auto", "margin": "0"}
        )
        if hover:
            solara.HTML(tag="div", unsafe_innerHTML=hover, classes=["cc-hover"])
