"""The presenter view (pacgan_edu.widgets.presenter), driven without a browser."""
import matplotlib as mpl
import pytest

from pacgan_edu import train
from pacgan_edu.plots.style import BIG, PRESENTER, apply_style, presenter_style
from pacgan_edu.widgets.presenter import SECTIONS, Presenter


@pytest.fixture
def no_training(monkeypatch):
    """Opening the view or any section must never train (run(0), a live panel's first evaluation, is fine)."""
    original = train.GANTrainer.run

    def refuse(self, steps=None, *args, **kwargs):
        if steps != 0:
            raise AssertionError("the presenter view trained without a Play press")
        return original(self, steps, *args, **kwargs)
    monkeypatch.setattr(train.GANTrainer, "run", refuse)


def test_it_opens_on_the_pair_replay_and_builds_other_sections_only_when_opened(no_training):
    view = Presenter(device="cpu")
    assert [view.widget.get_title(i) for i in range(len(SECTIONS))] == list(SECTIONS)
    assert list(view.sections) == ["Collapse vs packing"]          # the rest wait for a click
    assert view.panels["grid replay"].recording.frames > 10


def test_every_section_builds_from_committed_files(no_training):
    view = Presenter(device="cpu")
    for title in SECTIONS:
        view.widget.selected_index = SECTIONS.index(title)          # what clicking a tab does
        assert title in view.sections
    assert view.errors == {}
    assert "explorer" in view.panels and "duel replay" in view.panels
    with pytest.raises(ValueError, match="unknown section 'Intro'; valid: Collapse vs packing"):
        view.open("Intro")


def test_the_replay_plays_and_live_mode_waits_for_play(no_training):
    view = Presenter(device="cpu")
    replay = view.panels["grid replay"]
    first = replay.image.value
    replay.play.value = replay.recording.frames - 1                  # the Play widget's last frame
    assert replay.image.value != first and "replay of a recorded run" in replay.status.value
    view.panels["mode"].value = "Replay: ring"
    holder = view.sections["Collapse vs packing"].children[-1]
    assert holder.children == (view.panels["ring replay"].widget,)
    view.panels["mode"].value = "Live: grid"
    live = view.panels["live pair"]
    assert holder.children == (live.widget,) and live.trainer.step == 0


def test_a_broken_section_shows_its_error_and_the_others_still_work(no_training, monkeypatch):
    from pacgan_edu import remedy_study

    def missing(name, folder=None):
        raise FileNotFoundError(f"no comparison for {name}")
    monkeypatch.setattr(remedy_study, "load_comparison", missing)
    view = Presenter(device="cpu")
    view.open("Remedies")
    assert "FileNotFoundError: no comparison for ring" in view.errors["Remedies"]
    view.open("Table 1")
    assert "Table 1" not in view.errors


def test_presenter_style_enlarges_every_figure_made_inside_it_and_only_there():
    apply_style()
    assert mpl.rcParams["font.size"] == BIG["font.size"]
    with presenter_style():
        apply_style()        # what every plot function does first
        assert mpl.rcParams["font.size"] == PRESENTER["font.size"] > BIG["font.size"]
    apply_style()
    assert mpl.rcParams["font.size"] == BIG["font.size"]


def test_quick_mode_keeps_widgets_live_only_when_asked(monkeypatch):
    """PACGAN_EDU_LIVE_WIDGETS=1: quick training, real widgets (what the browser tests run)."""
    import types

    import IPython

    from pacgan_edu.widgets import frontend

    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    monkeypatch.setenv("PACGAN_EDU_QUICK", "1")
    monkeypatch.delenv("PACGAN_EDU_LIVE_WIDGETS", raising=False)
    assert not frontend.live_frontend()
    monkeypatch.setenv("PACGAN_EDU_LIVE_WIDGETS", "1")
    assert frontend.live_frontend()
    monkeypatch.setenv("PACGAN_EDU_LIVE_WIDGETS", "no")
    assert not frontend.live_frontend()


def test_the_remedies_section_says_which_schedule_each_dataset_ran_with(no_training, monkeypatch):
    import matplotlib.pyplot as plt

    from pacgan_edu import preset, remedy_study

    def constructed(dataset, folder=None):
        changes = {"lr_decay_start": 0.5} if dataset == "grid" else {}
        config = preset("lecture", dataset=dataset, **changes).as_dict()
        return remedy_study.Comparison(dataset, [], [], {}, {}, {}, {"none": {"configs": {dataset: config}}})
    monkeypatch.setattr(remedy_study, "load_comparison", constructed)
    monkeypatch.setattr("pacgan_edu.plots.remedies.plot_remedy_comparison", lambda comparisons: plt.figure())
    view = Presenter(device="cpu")
    view.open("Remedies")
    text = view.sections["Remedies"].children[0].value
    assert "the ring with Table 1's settings" in text
    assert "the grid with an earlier schedule of the lecture preset" in text


def test_the_cifar10_section_reads_its_numbers_and_baselines_from_the_committed_sweep(no_training, monkeypatch):
    from pacgan_edu import prerecorded

    real = prerecorded.load_prerecorded("cifar10_stand_in_no_bn_g.json")
    constructed = dict(real, summary=[{"pack": m, "classes_covered": {"mean": 1.25 * m, "se": 0.5, "n": 3}} for m in (1, 2)])
    constructed["settings"] = dict(real["settings"], seeds=[0, 1, 2],
                                   baselines=[{"label": "flat colours", "classes_covered": 7, "kl_to_uniform": 0.5}])
    monkeypatch.setattr(prerecorded, "load_prerecorded", lambda name: constructed)
    view = Presenter(device="cpu")
    view.open("CIFAR-10")
    assert view.errors == {}
    text = view.sections["CIFAR-10"].children[0].value
    assert "DCGAN 1.2 ± 0.5, PacDCGAN2 2.5 ± 0.5" in text and "3 seeds" in text
    assert "random flat colours cover 7" in text and "stand-in" in text
