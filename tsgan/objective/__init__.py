"""What the players minimise: the losses, the plug-in contract, and every technique and variant (one file each)."""
from .composition import compose
from .losses import LOSSES, Loss, get_loss
from .technique import TECHNIQUES, Step, Technique, Term, option, register
from .techniques.aae import AAE
from .techniques.bigan import BiGAN
from .techniques.infogan import InfoGAN
from .variant import Variant

__all__ = ["compose", "LOSSES", "Loss", "get_loss", "TECHNIQUES", "Step", "Technique", "Term", "option", "register",
           "AAE", "BiGAN", "InfoGAN", "Variant"]
