"""The lecture's presenter view: every demo in one tabbed widget, no code, big figures.

Served without code cells by Voilà (``voila notebooks/lecture.ipynb``, README "Teaching with
it"), or shown in any notebook with ``presenter_view()``. It opens in seconds and never trains
on its own: each tab is built the first time it is opened, and training starts only when the
lecturer presses Play/Train. Every figure comes from committed recordings and sweeps, so a
laptop with no GPU and no network shows the whole story at once:

1. **Collapse vs packing** — the m = 1 beside m = 2 pair: Replay (the committed recordings of
   the grid and the ring, scrubbable, any speed) or Live (trains the pair preset, ~2 minutes).
2. **Table 1** — the committed 10-seed lecture sweep beside the paper, with the null baselines.
3. **Why packing works** — the mode-collapse region explorer (notebook 03).
4. **Stacked MNIST** — the recorded DCGAN vs PacDCGAN2 duel (1,000 steps on a CPU).
5. **Remedies** — the committed comparison of the other cures (notebook 05).
6. **CIFAR-10** — the committed collapse-prone sweep on the stand-in, with trivial baselines;
   what has (and has not) been run, honestly.
"""
from __future__ import annotations

import html

import ipywidgets as w

from ..plots.style import presenter_style
from .frontend import display_widget, error_html, figure_png

__all__ = ["Presenter", "presenter_view", "SECTIONS"]

SECTIONS = ("Collapse vs packing", "Table 1", "Why packing works", "Stacked MNIST", "Remedies", "CIFAR-10")
CIFAR10_SWEEP = "cifar10_stand_in_no_bn_g.json"   # data/prerecorded: README "CIFAR-10" says how it was made


def _text(markdown_like: str) -> w.HTML:
    """A paragraph in the presenter's large type."""
    return w.HTML(f"<div style='font-size:20px; line-height:1.45; max-width:1400px'>{markdown_like}</div>")


def _picture(fig, dpi: int = 100) -> w.Image:
    return w.Image(value=figure_png(fig, dpi=dpi), format="png", layout=w.Layout(max_width="100%"))


class Presenter:
    """The tabbed presenter view. ``widget`` is the ``Tab``; :meth:`open` selects a section
    (building it on first use, as clicking its tab does)."""

    def __init__(self, device="auto"):
        self.device = device
        self.sections: dict[str, w.Widget] = {}     # built sections by title
        self.panels: dict[str, object] = {}         # the panels inside them (replays, live pair, explorer)
        self.errors: dict[str, str] = {}
        self._boxes = [w.VBox([_text(f"<i>opening {html.escape(t)}…</i>")]) for t in SECTIONS]
        self.widget = w.Tab(children=self._boxes)
        for i, title in enumerate(SECTIONS):
            self.widget.set_title(i, title)
        self.widget.observe(lambda change: self._build(change["new"]), names="selected_index")
        self._build(0)

    # ----------------------------------------------------------------------------- sections
    def open(self, title: str) -> w.Widget:
        """Select (and build) the section ``title``; returns its content."""
        if title not in SECTIONS:
            raise ValueError(f"unknown section {title!r}; valid: {', '.join(SECTIONS)}")
        index = SECTIONS.index(title)
        if self.widget.selected_index != index:
            self.widget.selected_index = index   # the observer builds it
        else:
            self._build(index)
        return self.sections[title]

    def _build(self, index) -> None:
        if index is None:
            return
        title = SECTIONS[index]
        if title in self.sections:
            return
        builder = getattr(self, "_" + title.lower().replace(" ", "_").replace("-", "_"))
        try:
            with presenter_style():
                content = builder()
        except Exception as error:  # a missing file must not take the other sections down
            self.errors[title] = f"{type(error).__name__}: {error}"
            content = w.HTML(error_html(error, "The other sections still work."))
        self.sections[title] = content
        self._boxes[index].children = [content]

    def _collapse_vs_packing(self) -> w.Widget:
        from .replay import replay_panel

        self.panels["grid replay"] = replay_panel("grid_pair", dpi=110)
        self.panels["ring replay"] = replay_panel("ring_pair", dpi=110)
        mode = w.ToggleButtons(options=["Replay: grid", "Replay: ring", "Live: grid"], value="Replay: grid",
                               style={"button_width": "180px"})
        holder = w.VBox([self.panels["grid replay"].widget])

        def show(change) -> None:
            if change["new"] == "Live: grid" and "live pair" not in self.panels:
                from .training import SideBySidePanel
                self.panels["live pair"] = SideBySidePanel(pack=2, dataset="grid", preset="pair", device=self.device)
            key = {"Replay: grid": "grid replay", "Replay: ring": "ring replay", "Live: grid": "live pair"}[change["new"]]
            holder.children = [self.panels[key].widget]

        mode.observe(show, names="value")
        self.panels["mode"] = mode
        return w.VBox([_text("The same seed, the same networks: a lone GAN (<b>m = 1</b>) beside a packed one "
                             "(<b>m = 2</b>: D judges two samples at once). Replays play the committed runs in "
                             "seconds (drag the slider); <b>Live</b> trains the pair now (about 2 minutes on a "
                             "laptop CPU: press Play)."), mode, holder])

    def _table_1(self) -> w.Widget:
        from ..plots.results import plot_coverage, plot_table1_comparison
        from ..table1 import recorded_sweep

        sweep = recorded_sweep(["ring", "grid"])
        steps = ", ".join(f"{sweep.steps[name]:,} steps on the {name}" for name in ("ring", "grid"))
        return w.VBox([_text(f"Table 1 of the paper at lecture scale: 4 packing degrees × 10 seeds, {steps} "
                             "(mean ± s.e.; dots are seeds). The grey bands are what a generator that "
                             "learned nothing but the data's extent scores (uniform cloud) and what fresh real "
                             "samples score: a result is evidence only where it clears the uniform band."),
                       _picture(plot_coverage(sweep.runs, "modes_captured")),
                       _picture(plot_table1_comparison(sweep.runs, label="ours, lecture preset")),
                       w.HTML(f"<pre style='font-size:13px; white-space:pre-wrap'>{html.escape(sweep.source)}</pre>")])

    def _why_packing_works(self) -> w.Widget:
        from .theory import RegionExplorer

        explorer = RegionExplorer(preset="dropped", n_modes=10, n_dropped=2, m=1, eps=0.05, delta=0.5, compare=True)
        self.panels["explorer"] = explorer
        return w.VBox([_text("Two generators at the same total-variation distance from the data: one drops modes, "
                             "one is a smooth blur. A single sample cannot tell them apart; m samples judged "
                             "together can. Move <b>m</b> and watch the mode-collapse region (Lin et al. 2018)."),
                       explorer.widget])

    def _stacked_mnist(self) -> w.Widget:
        from .replay import replay_panel

        duel = replay_panel("stacked_mnist_duel", dpi=100)
        self.panels["duel replay"] = duel
        return w.VBox([_text("Stacked MNIST: 1,000 modes (three digits, one per colour channel). DCGAN (m = 1) "
                             "beside PacDCGAN2 (m = 2), the same seed, recorded on a laptop-class CPU. Both "
                             "make a single mode for the first ~500 steps; then packing spreads out."),
                       duel.widget])

    def _remedies(self) -> w.Widget:
        from ..plots.remedies import plot_remedy_comparison
        from ..remedy_study import load_comparison, trained_with_preset

        comparisons = [load_comparison(name) for name in ("ring", "grid")]
        schedules = "; ".join(f"the {c.dataset} " + ("with Table 1's settings" if trained_with_preset(c)
                                                      else "with an earlier schedule of the lecture preset")
                              for c in comparisons)
        return w.VBox([_text(f"The other cures for mode collapse, the lecture nets, 5 seeds ({schedules}): what each "
                             "buys (modes, quality) and what it costs (time per step). Notebook 05 has the details."),
                       _picture(plot_remedy_comparison(comparisons))])

    def _cifar_10(self) -> w.Widget:
        from ..plots.cifar10 import plot_class_curves
        from ..prerecorded import load_prerecorded
        from ..report import dcgan_name

        document = load_prerecorded(CIFAR10_SWEEP)
        settings, history = document["settings"], document["history"]
        flat = next(b for b in settings["baselines"] if b["label"] == "flat colours")
        classes = ", ".join(f"{dcgan_name(s['pack'])} {s['classes_covered']['mean']:.1f} ± {s['classes_covered']['se']:.1f}"
                            for s in sorted(document["summary"], key=lambda s: s["pack"]))
        return w.VBox([_text("CIFAR-10 (notebook 07). Published anchor on real CIFAR-10 (Liu et al. 2020): GAN IS 6.98 / "
                             "FID 28.08, PacGAN2 IS 7.12 — a small gain. This project has run only a procedural "
                             "<b>stand-in</b> (shapes × colours) on a CPU, where DCGAN's own generator showed no steady "
                             "packing effect. Below, G without BatchNorm (a DCGAN made to collapse), "
                             f"{len(settings['seeds'])} seeds, {settings['steps_done']:,} steps — classes covered of 10: "
                             f"{classes}. The dashed lines are trivial generators: random flat colours cover "
                             f"{flat['classes_covered']}. Packing undoes the collapse; it does not make good images "
                             "here. Nothing has been run on real CIFAR-10 yet."),
                       _picture(plot_class_curves(history, f"{settings['data']}, G without BatchNorm",
                                                  settings["baselines"], metric="classes_covered"))])

    def _ipython_display_(self) -> None:
        # where widgets cannot be drawn (GitHub, nbviewer) the saved output shows the grid replay's last frame
        replay = self.panels.get("grid replay")
        self._display_handle = display_widget(self.widget, replay.frame_jpeg(-1) if replay else None, "image/jpeg")


def presenter_view(device="auto") -> Presenter:
    """The presenter view (see the module docstring); display it as a notebook's only output."""
    return Presenter(device=device)
