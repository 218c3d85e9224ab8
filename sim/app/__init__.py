"""The Solara app: a thin layer over the model (run it with `make app`)."""
