"""The figure of scenario discovery: each PRIM peeling trajectory, coverage against density, with
the chosen box ringed (`discovery.png` of `commons discover`); and a figure as PNG bytes."""

from __future__ import annotations


def trajectory_figure(found):
    """Coverage against density along each PRIM peeling trajectory, the chosen box ringed."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 3.4 * len(found)))
    axes = fig.subplots(len(found), 2, squeeze=False)
    for row, d in zip(axes, found, strict=True):
        for ax, case in zip(row, ("fails", "wins"), strict=True):
            box = d.boxes.get(case)
            what = "does worse" if case == "fails" else "wins"
            ax.set_title(f"{d.outcome}: {d.treatment} {what}", fontsize=9)
            ax.set_xlabel("coverage")
            ax.set_ylabel("density")
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            if box is None:
                ax.text(0.5, 0.5, "no box", ha="center", va="center")
                continue
            t = box.trajectory
            dots = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=14)
            chosen = t.loc[box.index]
            ax.scatter(
                [chosen["coverage"]],
                [chosen["density"]],
                s=120,
                facecolors="none",
                edgecolors="red",
            )
            fig.colorbar(dots, ax=ax, label="restricted inputs")
    fig.tight_layout()
    return fig


def png_bytes(fig) -> bytes:
    """A matplotlib figure as PNG bytes, as `sim.experiment.store.atomic_savefig` saves it."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()
