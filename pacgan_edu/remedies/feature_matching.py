"""Feature matching (Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016, § 3.1).

G stops trying to fool D and instead matches the mean of D's last hidden layer f on real and
generated data:

    L_G = ‖ E_x f(x) − E_z f(G(z)) ‖²₂        (means over the batch; D trains as usual)

G no longer chases whatever D currently calls "most real" (the chase that makes a GAN hop
from mode to mode); it only has to reproduce the statistics D has learned to look at. With
packing, f reads packs, so the matched statistics are those of m samples at a time.
"""
from __future__ import annotations

from .base import Remedy, StepData


def feature_matching_loss(real_features, fake_features):
    """‖mean f(real) − mean f(fake)‖² per member; real features carry no gradient."""
    gap = real_features.detach().mean(dim=1) - fake_features.mean(dim=1)
    return gap.pow(2).sum(dim=-1)


class FeatureMatching(Remedy):
    name = "feature-matching"
    title = "feature matching"
    reference = "Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016, § 3.1"
    summary = ("G matches the average of D's hidden features on real data instead of chasing "
               "D's favourite point.")
    uses_features = True
    needs_real_for_generator = True

    def generator_loss(self, trainer, step: StepData):
        return feature_matching_loss(step.real_features, step.fake_features)
