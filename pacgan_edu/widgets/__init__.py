"""ipywidgets panels (ipywidgets 7.7 and 8) built on train.py and plots."""
