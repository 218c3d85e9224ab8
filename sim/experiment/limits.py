"""The largest sizes an experiment file or a command's option accepts, stated once: the runs of one
command must fit in a laptop's memory and a results folder on its disk."""

MAX_MONTHS = 1200  # a run's months: a hundred years
# Replicates, design samples and points, chunk size, seeds per draw, series kept: at most a million.
MAX_COUNT = 1_000_000
MAX_RUNS = 5_000_000  # runs of one experiment, calibration or discovery
