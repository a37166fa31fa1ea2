"""Customer lifetime value (客户终生价值), two ways.

1. The margin model of DOMAIN.md: first-sale profit, then repeat purchases per year over an
   expected life: 75 + 3 x 2 x 150 = 975 yuan (minus acquisition cost).
2. BG/NBD (Fader, Hardie & Lee 2005) for how many purchases a customer will make and whether
   they are still "alive", with Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for how
   much each purchase is worth; both fitted by maximum likelihood, vectorised over customers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1


def simple_clv(*, first_sale_profit: float, repeat_profit: float, purchases_per_year: float,
               lifetime_years: float, acquisition_cost: float = 0.0,
               retention_cost_per_year: float = 0.0) -> float:
    """Lifetime profit minus acquisition and service cost: what a customer is worth at most."""
    repeat = repeat_profit * purchases_per_year * lifetime_years
    return first_sale_profit + repeat - acquisition_cost - retention_cost_per_year * lifetime_years


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float


XGroups = tuple[np.ndarray, np.ndarray]  # np.unique(x, return_inverse=True)


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray,
                         big_t: np.ndarray, x_groups: XGroups | None = None) -> np.ndarray:
    """Per-customer log-likelihood; x repeat purchases, t_x time of the last, T observed age."""
    return _bgnbd_terms(params, x, t_x, big_t, x_groups)[0]


def _bgnbd_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray,
                 x_groups: XGroups | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The log-likelihood, and the share of its "dropped out after the last purchase" term.

    The gamma-function terms depend on x alone, so they run once per distinct x (a few dozen
    values) and are spread to the customers.
    """
    r, alpha, a, b = params
    xs, at_x = x_groups if x_groups is not None else np.unique(x, return_inverse=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_x = gammaln(r + xs) - gammaln(r) + betaln(a, b + xs) - betaln(a, b)
        repeat_x = np.log(a) - np.log(np.maximum(b + xs - 1, 1e-12))
        a3 = -(r + x) * np.log(alpha + big_t)
        a4 = np.where(x > 0, repeat_x[at_x] - (r + x) * np.log(alpha + t_x), -np.inf)
        mixed = np.logaddexp(a3, a4)
        dropped_share = np.exp(a4 - mixed)
    return per_x[at_x] + r * np.log(alpha) + mixed, dropped_share


def _bgnbd_objective(log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray,
                     big_t: np.ndarray, weight: np.ndarray, groups: XGroups
                     ) -> tuple[float, np.ndarray]:
    """Minus the weighted log-likelihood and its gradient in log parameters, differentiated by
    hand: with it L-BFGS-B needs tens of evaluations where a derivative-free search needed a
    thousand (two seconds instead of fifteen on a 100,000-customer sample)."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    xs, at_x = groups
    ll, s4 = _bgnbd_terms(params, x, t_x, big_t, groups)
    s3 = 1 - s4
    d_r = ((digamma(r + xs) - digamma(r))[at_x] + np.log(alpha)
           - s3 * np.log(alpha + big_t) - s4 * np.log(alpha + t_x))
    d_alpha = r / alpha - (r + x) * (s3 / (alpha + big_t) + s4 / (alpha + t_x))
    d_a = (digamma(a + b) - digamma(a + b + xs))[at_x] + s4 / a
    d_b = ((digamma(b + xs) - digamma(a + b + xs) - digamma(b) + digamma(a + b))[at_x]
           - s4 / np.maximum(b + x - 1, 1e-12))
    gradient = np.array([weight @ d for d in (d_r, d_alpha, d_a, d_b)]) * params
    return -float(weight @ ll), -gradient


def _distinct(*columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct rows with their counts: customers the model cannot tell apart share one term."""
    rows, counts = np.unique(np.stack(columns), axis=1, return_counts=True)
    return (*rows, counts)


LOG_BOUND = 12.0  # parameters stay within e^-12..e^12: degenerate data cannot run to infinity


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> BgNbd:
    dx, dt_x, d_big_t, weight = _distinct(x, t_x, big_t)
    groups = np.unique(dx, return_inverse=True)
    start = np.log([0.5, max(float(big_t.mean()), 1.0), 1.0, 1.0])
    found = minimize(_bgnbd_objective, start, args=(dx, dt_x, d_big_t, weight, groups),
                     method="L-BFGS-B", jac=True, bounds=[(-LOG_BOUND, LOG_BOUND)] * 4,
                     options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 1000})
    r, alpha, a, b = np.exp(found.x)
    ll = float(bgnbd_log_likelihood(np.array([r, alpha, a, b]), x, t_x, big_t).sum())
    return BgNbd(float(r), float(alpha), float(a), float(b), ll)


def _maximise(negative_ll, start: list[float]) -> np.ndarray:
    """Nelder-Mead for a robust start, then L-BFGS-B to polish; both on log parameters."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    first = minimize(negative_ll, np.log(start), method="Nelder-Mead", bounds=bounds,
                     options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 4000})
    return minimize(negative_ll, first.x, method="L-BFGS-B", bounds=bounds).x


def probability_alive(m: BgNbd, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, m.a / np.maximum(m.b + x - 1, 1e-12)
                         * ((m.alpha + big_t) / (m.alpha + t_x)) ** (m.r + x), 0.0)
    return 1.0 / (1.0 + ratio)


def expected_purchases(m: BgNbd, horizon: float, x: np.ndarray, t_x: np.ndarray,
                       big_t: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T + horizon] for each customer (Fader et al. eq. 10); NaN
    where the fitted parameters put it beyond floating point (callers drop those)."""
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    z = horizon / (alpha + big_t + horizon)
    head = (a + b + x - 1) / (a - 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = 1 - ((alpha + big_t) / (alpha + big_t + horizon)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, z)
        ratio = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12)
                         * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
    return head * tail / (1 + ratio)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, mean_spend: np.ndarray,
                               x_groups: XGroups | None = None) -> np.ndarray:
    p, q, gamma = params
    xs, at_x = x_groups if x_groups is not None else np.unique(x, return_inverse=True)
    per_x = gammaln(p * xs + q) - gammaln(p * xs) + p * xs * np.log(xs)
    return (per_x[at_x] - gammaln(q) + q * np.log(gamma) + (p * x - 1) * np.log(mean_spend)
            - (p * x + q) * np.log(gamma + mean_spend * x))


def fit_gamma_gamma(x: np.ndarray, mean_spend: np.ndarray) -> GammaGamma:
    """Fitted on repeat customers only (x > 0, positive mean spend), as the model requires."""
    keep = (x > 0) & (mean_spend > 0)
    x, mean_spend = x[keep], mean_spend[keep]
    groups = np.unique(x, return_inverse=True)

    def negative(log_params: np.ndarray) -> float:
        return -float(gamma_gamma_log_likelihood(np.exp(log_params), x, mean_spend,
                                                 groups).sum())

    p, q, gamma = np.exp(_maximise(negative, [1.0, 1.0, max(float(mean_spend.mean()), 1.0)]))
    ll = float(gamma_gamma_log_likelihood(np.array([p, q, gamma]), x, mean_spend).sum())
    return GammaGamma(float(p), float(q), float(gamma), ll)


def expected_spend(m: GammaGamma, x: np.ndarray, mean_spend: np.ndarray) -> np.ndarray:
    """Expected value of a future purchase; with no repeat purchases, the population mean."""
    population = m.p * m.gamma / (m.q - 1) if m.q > 1 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = (m.gamma + mean_spend * x) * m.p / (m.p * x + m.q - 1)
    return np.where(x > 0, conditional, population)
