"""CDNOW data (../shared/data/cdnow, read SOURCE.md there) and lifetimes models pinned alike."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coparent.models.bgnbd import BetaGeo
from coparent.models.gamma_gamma import GammaGamma

PAPER_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
"""Fader, Hardie & Lee (2005), "Counting your customers" the easy way, CDNOW estimates."""
PAPER_BGNBD_LL = -9582.43
PAPER_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
"""Fader, Hardie & Lee (2005b), RFM and CLV, CDNOW spend estimates (v is called gamma there)."""


@pytest.fixture
def cdnow(shared_data: Path) -> pd.DataFrame:
    """cdnow_customers_summary.csv: ID, frequency, recency, T (weeks) of 2,357 customers."""
    return pd.read_csv(shared_data / "cdnow" / "cdnow_customers_summary.csv")


@pytest.fixture
def cdnow_spend(shared_data: Path) -> pd.DataFrame:
    """cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar."""
    return pd.read_csv(shared_data / "cdnow" / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="session")
def fitted_cdnow() -> BetaGeo:
    """BG/NBD fitted once on the CDNOW summary (session-wide; the fit is deterministic)."""
    from tests.conftest import SHARED_DATA, require_shared

    path = require_shared(SHARED_DATA / "cdnow" / "cdnow_customers_summary.csv", "CDNOW summary")
    data = pd.read_csv(path)
    return BetaGeo().fit(data.frequency, data.recency, data["T"])


def pinned_pair(params: dict[str, float]) -> tuple[BetaGeo, object]:
    """The same BG/NBD parameters in coparent and in lifetimes."""
    from lifetimes import BetaGeoFitter

    theirs = BetaGeoFitter()
    theirs.params_ = pd.Series(params)
    theirs.predict = theirs.conditional_expected_number_of_purchases_up_to_time  # as fit() sets
    return BetaGeo.from_params(**params), theirs


def pinned_spend_pair(params: dict[str, float]) -> tuple[GammaGamma, object]:
    from lifetimes import GammaGammaFitter

    theirs = GammaGammaFitter()
    theirs.params_ = pd.Series({"p": params["p"], "q": params["q"], "v": params["v"]})
    return GammaGamma.from_params(**params), theirs
