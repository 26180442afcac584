r"""Sign-based optimizers: every coordinate moves by the learning rate, whatever the
size of its gradient.

``Lion`` (Chen et al., 2023) takes the sign of an interpolation between its momentum
and the new gradient, so each step moves every coordinate by exactly :math:`\pm\gamma`
(or 0), plus the weight decay. It is not in ``torch.optim``; the class follows the
``lion-pytorch`` package.
"""

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper, _pair


class Lion(Optimizer):
    r"""Lion, "evolved sign momentum" (Chen et al., 2023), as ``lion_pytorch.Lion``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} \gamma_0
            \text{ (the lr given to the constructor)} \\
        &m_0 \leftarrow 0,\quad \lambda' \leftarrow \lambda / \gamma_0
            \text{ if decoupled else } \lambda \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \\
        &\quad \theta_{t-1} \leftarrow (1 - \gamma\lambda')\, \theta_{t-1} \\
        &\quad c_t \leftarrow \operatorname{sign}\big(\beta_1 m_{t-1}
            + (1 - \beta_1) g_t\big) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, c_t \\
        &\quad m_t \leftarrow \beta_2 m_{t-1} + (1 - \beta_2) g_t

    Two betas do two jobs: the direction :math:`c_t` mixes the momentum with the new
    gradient by :math:`\beta_1` (0.9), while the momentum itself averages the
    gradients with the longer memory :math:`\beta_2` (0.99). Apart from the decay,
    every coordinate moves by exactly γ per step (0 where the mixture is exactly 0),
    so the step's length is :math:`\gamma\sqrt{d}` in :math:`d` dimensions, larger
    than Adam's typical step: Lion's learning rate is usually 3-10 times smaller
    than AdamW's, and its decay λ correspondingly larger, so that the product
    :math:`\gamma\lambda` stays the same.

    The weight decay is decoupled in the AdamW sense (the parameters shrink by
    :math:`1 - \gamma\lambda` before the step, not through the gradient). With
    ``decoupled_weight_decay=True`` λ is divided by the learning rate given to the
    constructor, γ₀, so the shrink factor is :math:`1 - \lambda\gamma/\gamma_0`: the
    decay follows the *shape* of a schedule on ``lr`` but not its scale (λ then means
    the decay per step at the initial learning rate). γ₀ is the attribute
    ``init_lr`` (lion-pytorch's ``_init_lr``), what the constructor received, also
    after ``reset()``.

    State: ``t`` and ``m`` (lion-pytorch's ``exp_avg``), one buffer: half of Adam's.

    Reference implementation: ``lion_pytorch.Lion`` of the ``lion-pytorch`` package
    (version 0.2.5): same keyword names, defaults and operations; trajectories agree
    with recorded runs on torch 2.13 to 1e-12 (``lessons_py/reference``,
    ``beyond_torch``). Arguments (defaults as lion-pytorch): ``lr=1e-4``,
    ``betas=(0.9, 0.99)``, ``weight_decay=0`` and, keyword-only here,
    ``decoupled_weight_decay=False``; lion-pytorch's ``use_triton`` (a GPU kernel) is
    left out. ``lr`` must be positive and each beta lie in [0, 1], as lion-pytorch
    asserts; unlike lion-pytorch, ``weight_decay`` is also checked to be >= 0.
    Hyperparameters may be arrays that broadcast against the parameters (a sweep).
    """

    _state = ("m",)

    def __init__(
        self,
        lr=1e-4,
        betas=(0.9, 0.99),
        weight_decay=0.0,
        *,
        decoupled_weight_decay=False,
    ):
        self.betas = betas
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        super().__init__(lr)
        self._check()
        self.init_lr = lr  # lion-pytorch's _init_lr: the decoupled decay's scale

    def _hyperparameters(self):
        beta1, beta2 = self.betas
        return {
            "lr": self.lr,
            "beta1": beta1,
            "beta2": beta2,
            "weight_decay": self.weight_decay,
        }

    def _check(self):
        _pair("betas", self.betas, "beta1", "beta2")
        _hyper("lr", self.lr, low_open=True)
        _hyper("betas[0]", self.betas[0], 0.0, 1.0)
        _hyper("betas[1]", self.betas[1], 0.0, 1.0)
        _hyper("weight_decay", self.weight_decay)
        _checks.flag("decoupled_weight_decay", self.decoupled_weight_decay)

    def _update(self, x, g):
        beta1, beta2 = self.betas
        lam = self.weight_decay
        if self.decoupled_weight_decay:
            lam = lam / self.init_lr
        if self.m is None:
            self.m = np.zeros_like(x)
        x = x * (1 - self.lr * lam)
        direction = np.sign(beta1 * self.m + (1 - beta1) * g)
        self.m = beta2 * self.m + (1 - beta2) * g
        return x - self.lr * direction
