"""Every figure the notebooks show (matplotlib Figures, no pyplot), in the suite's palette."""
