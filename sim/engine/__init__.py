"""The engines: the numba step kernel over the core's state, and batch runs of many worlds."""
