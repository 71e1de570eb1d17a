"""Networks: toy MLPs for 2D mixtures (paper and lecture sizes); every D takes ``pack=m``."""
from .layers import MemberBatchNorm, MemberLinear, MemberMaxout
from .toy import TOY_ARCHITECTURES, ToyArchitecture, ToyDiscriminator, ToyGenerator, toy_architecture

__all__ = [
    "MemberBatchNorm", "MemberLinear", "MemberMaxout",
    "TOY_ARCHITECTURES", "ToyArchitecture", "ToyDiscriminator", "ToyGenerator", "toy_architecture",
]
