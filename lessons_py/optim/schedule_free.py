r"""Schedule-Free optimizers (Defazio et al., 2024): averaging instead of a schedule.

``SGDScheduleFree`` and ``AdamWScheduleFree`` take their gradient steps on a sequence
:math:`z`, average it into :math:`x` (the parameters to evaluate) and take the
gradients at an interpolation :math:`y` of the two (the parameters to train on), so no
decaying learning-rate schedule is needed. Neither is in ``torch.optim``; both follow
the ``schedulefree`` package, including its switch between the two parameter
sequences::

    opt = SGDScheduleFree(lr=0.5)
    for g in grads:
        y = opt.step(y, g)   # train mode: y is the point where gradients are taken
    x = opt.eval(y)          # the averaged parameters: evaluate, save, report these
    y = opt.train(x)         # back to y before training on
"""

from collections.abc import Mapping

import numpy as np

from .. import _checks
from ._base import Optimizer, _hyper, _pair
from .adam import _adam_hyperparameters


class SGDScheduleFree(Optimizer):
    r"""Schedule-Free SGD (Defazio et al., 2024), as ``schedulefree.SGDScheduleFree``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta \text{ (momentum)},
            \ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} T_w \text{ (warmup steps)},
            \ r,\ p \text{ (weight lr power)} \\
        &z_0 \leftarrow x_0 \leftarrow y_0 \leftarrow \theta_0,
            \ \gamma^{max}_0 \leftarrow 0,\ W_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad \gamma_t \leftarrow \gamma \min(1, t / T_w)
            \ (\gamma_t = \gamma \text{ if } T_w = 0),
            \quad \gamma^{max}_t \leftarrow \max(\gamma^{max}_{t-1}, \gamma_t) \\
        &\quad w_t \leftarrow t^r\, (\gamma^{max}_t)^p,
            \quad W_t \leftarrow W_{t-1} + w_t,
            \quad c_t \leftarrow w_t / W_t \\
        &\quad g_t \leftarrow \nabla f(y_{t-1}) + \lambda y_{t-1} \\
        &\quad z_t \leftarrow z_{t-1} - \gamma_t g_t
            \qquad \text{(the SGD sequence)} \\
        &\quad x_t \leftarrow (1 - c_t)\, x_{t-1} + c_t z_t
            \qquad \text{(its weighted average: evaluate here)} \\
        &\quad y_t \leftarrow (1 - \beta)\, z_t + \beta x_t
            \qquad \text{(the next gradient is taken here)}

    With the defaults (:math:`r = 0`, no warmup, constant γ) every weight is equal,
    :math:`c_t = 1/t`, and :math:`x_t` is the plain average of :math:`z_1, \ldots,
    z_t`. The interpolation β chooses where the gradients are taken: β = 0 is SGD on
    :math:`z` with Polyak–Ruppert averaging for evaluation, β = 1 takes them at the
    average itself (primal averaging); Defazio et al. find that values in between,
    0.9 by default, match tuned learning-rate schedules without fixing the length of
    the run in advance. During a warmup (``warmup_steps``) the learning rate ramps up
    linearly and the weights grow as :math:`(\gamma^{max}_t)^p`, so the early, small
    steps count little in the average.

    The parameters this class steps are :math:`y`: ``step(y, g)`` returns
    :math:`y_t`, and only :math:`z` is stored; :math:`x` is recovered from the two,
    :math:`x = (y - (1 - \beta) z) / \beta`, by the switch ``eval(y) -> x``, and
    ``train(x) -> y`` goes back, as ``optimizer.eval()`` and ``optimizer.train()`` of
    schedulefree rewrite the model's parameters in place. Evaluate (and report) at
    :math:`x`; ``step`` in eval mode raises ``ValueError`` (schedulefree raises too).
    After steps on a dict of parameters, ``eval`` and ``train`` take and return the
    dict. The update is written without :math:`x`, as in schedulefree:
    :math:`y_t = y_{t-1} + c_t (z_{t-1} - y_{t-1}) + \gamma_t (\beta(1 - c_t) - 1)
    g_t`, which is the three lines above.

    State: ``t``, ``z`` (one buffer, as SGD with momentum), ``lr_max`` and
    ``weight_sum`` (per run), and ``train_mode``; ``scheduled_lr`` is the last step's
    warmed-up learning rate (for plots). ``weight_decay`` is an L2 term taken at
    :math:`y`.

    Reference implementation: ``schedulefree.SGDScheduleFree`` of the
    ``schedulefree`` package (version 1.4.1): same keywords, defaults and operations;
    trajectories, switches included, agree with recorded runs on torch 2.13 to 1e-12,
    and so do those of ``schedulefree.SGDScheduleFreeReference``, the package's
    simpler version that stores :math:`x`, :math:`y` and :math:`z`
    (``lessons_py/reference``, ``beyond_torch``). One departure: schedulefree's
    ``SGDScheduleFree`` starts in eval mode and refuses to step before ``train()``
    is called (its ``...Reference`` twin starts in train mode); a new or
    ``reset()`` optimizer here is in train mode, so that it runs in the package's
    loops like any other.

    Arguments (defaults as schedulefree): ``lr=1.0``, ``momentum=0.9``,
    ``weight_decay=0``, ``warmup_steps=0``, ``r=0``, ``weight_lr_power=2``; ``lr``,
    ``weight_decay``, ``r`` and ``weight_lr_power`` >= 0, ``momentum`` in (0, 1) (as
    schedulefree), ``warmup_steps`` an integer >= 0. schedulefree's ``foreach`` (a
    speed switch) is left out. The numbers may be arrays that broadcast against the
    parameters (a sweep); ``warmup_steps`` is one integer.
    """

    _state = ("z",)
    _scalar_state = ("lr_max", "weight_sum", "scheduled_lr")

    def __init__(
        self,
        lr=1.0,
        momentum=0.9,
        weight_decay=0.0,
        warmup_steps=0,
        r=0.0,
        weight_lr_power=2.0,
    ):
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.warmup_steps = warmup_steps
        self.r = r
        self.weight_lr_power = weight_lr_power
        super().__init__(lr)
        self._check()

    def _hyperparameters(self):
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            "r": self.r,
            "weight_lr_power": self.weight_lr_power,
        }

    def _check(self):
        self._check_schedule()
        _hyper("momentum", self.momentum, 0.0, 1.0, low_open=True, high_open=True)

    def reset(self):
        """Clear the state and return to train mode (``step`` may be called)."""
        super().reset()
        self.train_mode = True

    def _check_schedule(self):
        _hyper("lr", self.lr)
        _hyper("weight_decay", self.weight_decay)
        _checks.integer("warmup_steps", self.warmup_steps, 0)
        _hyper("r", self.r)
        _hyper("weight_lr_power", self.weight_lr_power)

    def step(self, x, grad):
        """Return the next training parameters :math:`y` after a gradient ``grad``
        taken at ``x`` (the current :math:`y`). Refused in eval mode, as in
        schedulefree: call :meth:`train` first."""
        if not self.train_mode:
            raise ValueError(
                "step called in eval mode: the parameters are the averaged x, not the "
                "point y where gradients are taken; call train(params) before step "
                "(as schedulefree, which raises too)"
            )
        return super().step(x, grad)

    def eval(self, params):
        r"""Switch to eval mode; return the parameters to evaluate, the average
        :math:`x = y + (1 - 1/\beta)(z - y)`, given the training parameters
        :math:`y` (``params``: an array, or a dict of named arrays after steps on a
        dict; not modified). In eval mode already, or before the first step (no
        :math:`z` yet), ``params`` come back unchanged (a copy)."""
        return self._switch(params, evaluating=True)

    def train(self, params):
        r"""Switch to train mode; return the parameters to train on,
        :math:`y = x + (1 - \beta)(z - x)`, given the averaged parameters :math:`x`
        (``params``, an array or a dict, not modified). In train mode already, or
        before the first step, ``params`` come back unchanged (a copy)."""
        return self._switch(params, evaluating=False)

    def _switch(self, params, evaluating):
        """``eval`` (``evaluating``) or ``train`` on an array or a dict of arrays."""
        self._check()
        move = self.train_mode == evaluating  # else: in that mode already
        if isinstance(params, Mapping):
            z = self.z if isinstance(self.z, Mapping) else {}
            if move and z and set(z) != set(params):
                raise ValueError(
                    f"params must have the names of the parameters stepped, {list(z)}, "
                    f"got {list(params)}"
                )
            out = {
                k: self._switched(f"params[{k!r}]", v, z.get(k), move, evaluating, True)
                for k, v in params.items()
            }
        else:
            if isinstance(self.z, Mapping):
                raise ValueError(
                    "the optimizer state belongs to a dict of parameters: pass the dict"
                )
            out = self._switched("params", params, self.z, move, evaluating, False)
        self.train_mode = not evaluating
        return out

    def _switched(self, name, params, z, move, evaluating, leading):
        """One array: :math:`x` from :math:`y` (``evaluating``) or back. In a dict,
        an array β indexes the leading axes (the runs), as in ``step``."""
        a = _checks.real_array(name, params, empty=True)
        if not move or z is None:
            return a.copy()
        _checks.same_shape(name, a, "the optimizer state", z)
        beta = self._beta()
        if leading and np.ndim(beta):
            beta = np.reshape(beta, np.shape(beta) + (1,) * (a.ndim - np.ndim(beta)))
        if evaluating:
            return a + (1 - 1 / beta) * (z - a)
        return a + (1 - beta) * (z - a)

    def _update(self, y, g):
        k = self.t - 1  # schedulefree's k: steps taken before this one
        lr = self.lr
        if k < self.warmup_steps:
            lr = lr * (k + 1) / self.warmup_steps
        self.scheduled_lr = lr
        self.lr_max = np.maximum(lr, -1.0 if self.lr_max is None else self.lr_max)
        weight = (k + 1) ** self.r * self.lr_max**self.weight_lr_power
        self.weight_sum = weight + (0.0 if self.weight_sum is None else self.weight_sum)
        # the weight of this step's z in the average x (0 while every weight is 0)
        c = np.divide(
            weight,
            self.weight_sum,
            out=np.zeros(np.shape(self.weight_sum)),
            where=np.asarray(self.weight_sum) != 0,
        )
        if self.z is None:
            self.z = y.copy()
        direction = self._direction(y, g)
        beta = self._beta()
        # x ← (1 - c) x + c z⁺ and y ← (1 - β) z⁺ + β x, without storing x
        y = y + c * (self.z - y) + lr * (beta * (1 - c) - 1) * direction
        self.z = self.z - lr * direction
        return y

    def _beta(self):
        """The interpolation coefficient β of :math:`y = (1 - β) z + β x`."""
        return self.momentum

    def _direction(self, y, g):
        """The step of :math:`z` before the learning rate: the gradient, with the
        L2 term taken at :math:`y`."""
        if np.any(self.weight_decay != 0):
            g = g + self.weight_decay * y
        return g


class AdamWScheduleFree(SGDScheduleFree):
    r"""Schedule-Free AdamW (Defazio et al., 2024), as
    ``schedulefree.AdamWScheduleFree``.

    .. math::
        &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
            \ \epsilon,\ \lambda \text{ (weight decay)}, \\
        &\phantom{\textbf{input: }} T_w \text{ (warmup steps)},
            \ r,\ p \text{ (weight lr power)} \\
        &z_0 \leftarrow x_0 \leftarrow y_0 \leftarrow \theta_0,\ v_0 \leftarrow 0,
            \ \gamma^{max}_0 \leftarrow 0,\ W_0 \leftarrow 0 \\
        &\textbf{for } t = 1, 2, \ldots: \\
        &\quad \gamma_t,\ c_t \text{ as in } \texttt{SGDScheduleFree} \\
        &\quad g_t \leftarrow \nabla f(y_{t-1}) \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad d_t \leftarrow g_t / \big(\sqrt{v_t / (1 - \beta_2^t)} + \epsilon\big)
            + \lambda y_{t-1} \\
        &\quad z_t \leftarrow z_{t-1} - \gamma_t d_t \\
        &\quad x_t \leftarrow (1 - c_t)\, x_{t-1} + c_t z_t \\
        &\quad y_t \leftarrow (1 - \beta_1)\, z_t + \beta_1 x_t

    Adam's first moment is gone: :math:`\beta_1` is the interpolation between the
    fast sequence and its average, which plays the part of momentum, and only the
    second moment :math:`v` (bias-corrected) scales the steps of :math:`z`. The
    weight decay is added to the *normalised* step, at :math:`y`, so it is AdamW's
    decoupled decay (not divided by :math:`\sqrt{v}`). Everything else, the
    averaging weights, the warmup, the train/eval switch
    (``eval(y) -> x``, ``train(x) -> y``, with :math:`\beta = \beta_1`) and
    ``step`` raising ``ValueError`` in eval mode, is as in :class:`SGDScheduleFree`.

    The class is :class:`SGDScheduleFree` with this direction :math:`d_t` in place
    of :math:`g_t` (a subclass: the schedule, the update of :math:`y` and :math:`z`
    and the switch are that class's code).

    State: ``t``, ``z`` and ``v`` (two buffers, as Adam), ``lr_max``, ``weight_sum``,
    ``scheduled_lr`` and ``train_mode``.

    Reference implementation: ``schedulefree.AdamWScheduleFree`` of the
    ``schedulefree`` package (version 1.4.1): same keywords, defaults and operations;
    trajectories, switches included, agree with recorded runs on torch 2.13 to 1e-12,
    and so do those of ``schedulefree.AdamWScheduleFreeReference``, which stores
    :math:`x`, :math:`y` and :math:`z` (``lessons_py/reference``, ``beyond_torch``).
    As for :class:`SGDScheduleFree`, a new or ``reset()`` optimizer is in train mode,
    where schedulefree's starts in eval mode.

    Arguments (defaults as schedulefree): ``lr=0.0025``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8``, ``weight_decay=0``, ``warmup_steps=0``, ``r=0``,
    ``weight_lr_power=2``; ``foreach`` is left out. schedulefree checks none of them;
    here ``lr``, ``eps``, ``weight_decay``, ``r``, ``weight_lr_power`` >= 0,
    ``betas[0]`` in (0, 1) (``eval`` divides by it), ``betas[1]`` in [0, 1) and
    ``warmup_steps`` an integer >= 0. ``eps=0`` is allowed, but a step in which a
    coordinate's :math:`\sqrt{\hat v_t} + \epsilon` is 0 raises ``ValueError`` naming
    ``eps``. The numbers may be arrays that broadcast against the parameters.
    """

    _state = ("z", "v")

    def __init__(
        self,
        lr=0.0025,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        warmup_steps=0,
        r=0.0,
        weight_lr_power=2.0,
    ):
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.warmup_steps = warmup_steps
        self.r = r
        self.weight_lr_power = weight_lr_power
        Optimizer.__init__(self, lr)  # not SGDScheduleFree's: no momentum here
        self._check()

    def _hyperparameters(self):
        return {
            **_adam_hyperparameters(self),
            "r": self.r,
            "weight_lr_power": self.weight_lr_power,
        }

    def _check(self):
        _pair("betas", self.betas, "beta1", "beta2")
        self._check_schedule()
        _hyper("betas[0]", self.betas[0], 0.0, 1.0, low_open=True, high_open=True)
        _hyper("betas[1]", self.betas[1], 0.0, 1.0, high_open=True)
        _hyper("eps", self.eps)

    def _beta(self):
        return self.betas[0]

    def _direction(self, y, g):
        beta2 = self.betas[1]
        if self.v is None:
            self.v = np.zeros_like(y)
        self.v = beta2 * self.v + (1 - beta2) * g * g
        v_hat = self.v / (1 - beta2**self.t)
        d = g / self._nonzero(np.sqrt(v_hat) + self.eps)
        if np.any(self.weight_decay != 0):
            d = d + self.weight_decay * y
        return d
