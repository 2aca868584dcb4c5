"""Customer lifetime value models fitted by maximum likelihood (numpy/scipy).

Each model is a closed-form likelihood of one customer's summary, summed over customers
(identical summaries counted once, weighted) and maximised over the log of its positive
parameters with BFGS (Nelder-Mead inside a box to finish where BFGS stops early or
runs off). Formulas, conventions and the published figures they reproduce are in
docs/analytics.md.

- BG/NBD (Fader, Hardie & Lee 2005): repeat transactions x, recency t_x, age T.
- Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note).
- Gamma-Gamma (Fader, Hardie & Lee 2005; Fader & Hardie 2013 note): mean repeat spend.
- BG/BB (Fader, Hardie & Shang 2010): x of n discrete opportunities, recency t_x.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1, logsumexp


@dataclass
class Fit:
    params: dict[str, float]
    ll: float
    n: int  # customers the fit saw
    at_bound: bool = False  # a parameter ran to the edge of the search: the model does not fit
    extra: dict = field(default_factory=dict)

    def as_dict(self, digits: int = 4) -> dict:
        """JSON-ready; a parameter that ran off to infinity (a degenerate data set, e.g.
        every amount equal) is None."""
        out = {
            k: round(float(v), digits) if np.isfinite(v) else None for k, v in self.params.items()
        }
        out["ll"] = round(float(self.ll), 2) if np.isfinite(self.ll) else None
        out["customers"] = self.n
        if self.at_bound:
            out["at_bound"] = True
        out.update(self.extra)
        return out


def _compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how many customers share each."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


# The search runs on log-parameters inside this box (about 6e-6 to 9e6): every published
# fit lies far inside it; a history the model does not fit (clockwork purchases, every
# amount equal) drives some parameters to infinity, and the box stops that search at once
# instead of letting it wander (the fit then says ``at_bound``).
LOG_BOUNDS = (-12.0, 16.0)


def _maximise(neg_ll, start: np.ndarray, names: list[str]) -> tuple[dict[str, float], float, bool]:
    def objective(log_params):
        # The search wanders through regions where a term overflows: such a point is
        # simply very unlikely, not an error.
        with np.errstate(all="ignore"):
            value = neg_ll(np.exp(log_params))
        return value if np.isfinite(value) else 1e300

    bounds = [LOG_BOUNDS] * len(start)
    result = minimize(objective, np.log(start), method="BFGS", options={"gtol": 1e-7})
    outside = np.any(result.x < LOG_BOUNDS[0]) or np.any(result.x > LOG_BOUNDS[1])
    if not result.success or outside:
        # BFGS stops on "precision loss" where the likelihood is flat along a ridge
        # (finite-difference gradients), or runs off where the model does not fit: a
        # Nelder-Mead polish inside the box finishes.
        result = minimize(
            objective,
            np.clip(result.x, *LOG_BOUNDS),
            method="Nelder-Mead",
            bounds=bounds,
            options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 1500},
        )
    at_bound = bool(
        np.any(np.isclose(result.x, LOG_BOUNDS[0]) | np.isclose(result.x, LOG_BOUNDS[1], atol=1e-3))
    )
    params = np.exp(result.x)
    return dict(zip(names, (float(p) for p in params), strict=True)), -float(result.fun), at_bound


# --- BG/NBD -----------------------------------------------------------------------------


def bgnbd_ll(params, x, t_x, T) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD (FHL 2005, equation 6)."""
    r, alpha, a, b = params
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    first = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        second = np.where(
            x > 0,
            betaln(a + 1, np.maximum(b + x - 1, 1e-12))
            - betaln(a, b)
            - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return base + np.logaddexp(first, second)


def bgnbd_fit(x, t_x, T) -> Fit:
    (ux, ut, uT), w = _compress(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
    params, ll, at_bound = _maximise(
        lambda p: -np.sum(w * bgnbd_ll(p, ux, ut, uT)),
        np.array([1.0, float(np.mean(uT)) or 1.0, 1.0, 1.0]),
        ["r", "alpha", "a", "b"],
    )
    return Fit(params, ll, int(w.sum()), at_bound)


def bgnbd_p_alive(params: dict, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(
            x > 0,
            a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x),
            0.0,
        )
    return 1.0 / (1.0 + odds)


def bgnbd_expected(params: dict, t: float, x, t_x, T) -> np.ndarray:
    """Expected transactions in the next ``t`` periods (FHL 2005, equation 10)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    head = (a + b + x - 1) / (a - 1)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    return head * body * bgnbd_p_alive(params, x, t_x, T)


def bgnbd_expected_new(params: dict, t: float) -> float:
    """E[X(t)] for a customer just acquired (FHL 2005, equation 7)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    z = t / (alpha + t)
    return float(
        (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    )


# --- Pareto/NBD -------------------------------------------------------------------------


def _pareto_log_a0(r, alpha, s, beta, x, t_x, T):
    """log A0 of the Pareto/NBD likelihood (Fader & Hardie 2005 note, equation 22)."""
    high = np.maximum(alpha, beta)
    second = s + 1 if alpha >= beta else r + x
    power = r + s + x
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.log(hyp2f1(power, second, power + 1, abs(alpha - beta) / (high + t_x)))
        f1 -= power * np.log(high + t_x)
        f2 = np.log(hyp2f1(power, second, power + 1, abs(alpha - beta) / (high + T)))
        f2 -= power * np.log(high + T)
        return f1 + np.log1p(-np.exp(np.minimum(f2 - f1, 0.0)))


def paretonbd_ll(params, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    second = np.log(s / (r + s + x)) + _pareto_log_a0(r, alpha, s, beta, x, t_x, T)
    return base + np.logaddexp(first, second)


def paretonbd_fit(x, t_x, T) -> Fit:
    (ux, ut, uT), w = _compress(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
    params, ll, at_bound = _maximise(
        lambda p: -np.sum(w * paretonbd_ll(p, ux, ut, uT)),
        np.array([1.0, float(np.mean(uT)) or 1.0, 1.0, float(np.mean(uT)) or 1.0]),
        ["r", "alpha", "s", "beta"],
    )
    return Fit(params, ll, int(w.sum()), at_bound)


def paretonbd_p_alive(params: dict, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    log_ratio = (
        np.log(s / (r + s + x))
        + (r + x) * np.log(alpha + T)
        + s * np.log(beta + T)
        + _pareto_log_a0(r, alpha, s, beta, x, t_x, T)
    )
    return 1.0 / (1.0 + np.exp(log_ratio))


def paretonbd_expected(params: dict, t: float, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
    x, T = np.asarray(x, float), np.asarray(T, float)
    mean = (r + x) * (beta + T) / ((alpha + T) * (s - 1))
    return (
        mean * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * paretonbd_p_alive(params, x, t_x, T)
    )


# --- Gamma-Gamma ------------------------------------------------------------------------


def gammagamma_ll(params, x, m) -> np.ndarray:
    p, q, gamma = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def gammagamma_fit(x, m) -> Fit:
    """On repeat buyers only (x > 0, m > 0): x repeat transactions of mean value m."""
    x, m = np.asarray(x, float), np.asarray(m, float)
    keep = (x > 0) & (m > 0)
    (ux, um), w = _compress(x[keep], m[keep])
    params, ll, at_bound = _maximise(
        lambda p: -np.sum(w * gammagamma_ll(p, ux, um)),
        np.array([1.0, 1.0, float(np.mean(um)) or 1.0]),
        ["p", "q", "gamma"],
    )
    return Fit(params, ll, int(w.sum()), at_bound)


def gammagamma_expected_spend(params: dict, x, m) -> np.ndarray:
    """E[M | x, m]: a customer's expected mean spend; the population mean when x = 0."""
    p, q, gamma = params["p"], params["q"], params["gamma"]
    x, m = np.asarray(x, float), np.asarray(m, float)
    population = p * gamma / (q - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = (gamma + m * x) * p / (p * x + q - 1)
    return np.where(x > 0, own, population)


# --- BG/BB ------------------------------------------------------------------------------


def bgbb_ll(params, x, t_x, n) -> np.ndarray:
    """Each customer's log-likelihood under BG/BB (FHS 2010, equation 5)."""
    alpha, beta, gamma, delta = params
    x, t_x, n = (np.asarray(v, float) for v in (x, t_x, n))
    ab, gd = betaln(alpha, beta), betaln(gamma, delta)
    alive = betaln(alpha + x, beta + n - x) - ab + betaln(gamma, delta + n) - gd
    terms = [alive]
    for i in range(int(np.max(n - t_x)) if len(n) else 0):
        active = i < n - t_x
        term = betaln(alpha + x, beta + t_x - x + i) - ab + betaln(gamma + 1, delta + t_x + i) - gd
        terms.append(np.where(active, term, -np.inf))
    return logsumexp(np.vstack(terms), axis=0)


def bgbb_fit(x, t_x, n) -> Fit:
    (ux, ut, un), w = _compress(np.asarray(x, float), np.asarray(t_x, float), np.asarray(n, float))
    params, ll, at_bound = _maximise(
        lambda p: -np.sum(w * bgbb_ll(p, ux, ut, un)),
        np.array([1.0, 1.0, 1.0, 1.0]),
        ["alpha", "beta", "gamma", "delta"],
    )
    return Fit(params, ll, int(w.sum()), at_bound)


def bgbb_p_alive(params: dict, x, t_x, n) -> np.ndarray:
    """P(alive at n+1 | x, t_x, n) (FHS 2010, equation 11)."""
    alpha, beta, gamma, delta = (params[k] for k in ("alpha", "beta", "gamma", "delta"))
    x, t_x, n = (np.asarray(v, float) for v in (x, t_x, n))
    whole = bgbb_ll([alpha, beta, gamma, delta], x, t_x, n)
    alive = (
        betaln(alpha + x, beta + n - x)
        - betaln(alpha, beta)
        + betaln(gamma, delta + n + 1)
        - betaln(gamma, delta)
    )
    return np.exp(alive - whole)


# --- CLV --------------------------------------------------------------------------------


def clv_bgnbd_gg(
    bgnbd: dict,
    gg: dict,
    x,
    t_x,
    T,
    m,
    *,
    months: int = 12,
    annual_discount: float = 0.10,
    periods_per_month: float = 30.0 / 7.0,
) -> np.ndarray:
    """Discounted value of the next ``months``: each month's expected transactions
    (BG/NBD) times the expected spend (Gamma-Gamma), discounted at the monthly rate
    equivalent to ``annual_discount``."""
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    spend = gammagamma_expected_spend(gg, x, m)
    value = np.zeros(len(np.atleast_1d(x)))
    before = np.zeros_like(value)
    for month in range(1, months + 1):
        upto = bgnbd_expected(bgnbd, month * periods_per_month, x, t_x, T)
        value += (upto - before) * spend / (1 + monthly) ** month
        before = upto
    return value
