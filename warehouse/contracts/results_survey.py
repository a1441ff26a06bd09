"""Contracts of the survey result tables published by the survey flow (METHODS §10)."""

from __future__ import annotations

from warehouse.contracts.base import Column, Table

C = Column
_BLOCK = C("block", "VARCHAR", "", "item block analysed together (config/survey.toml)", key=True)
_ITEM = C("item", "VARCHAR", "", "questionnaire item (column of the response file)", key=True)
_STATUS = C("status", "VARCHAR", "", "ok, or why the estimate is not available")
_P = C("p_value", "DOUBLE", "probability", "two-sided p-value")


def _t(name: str, desc: str, methods: str, cols: tuple, headline: str | None = None) -> Table:
    return Table("results", name, desc, methods, cols, headline=headline)


TABLES = (
    _t("survey_sample", "Sample and model facts of the survey run", "§10", (
        C("metric", "VARCHAR", "", "fact: n_respondents, n_model_items, chi2_convention …", key=True),
        C("value", "VARCHAR", "", "its value (as text)"))),
    _t("survey_reliability", "Cronbach's alpha per construct and item statistics", "§10.1", (
        C("construct", "VARCHAR", "", "latent construct of the model", key=True), _ITEM,
        C("n", "BIGINT", "respondents", "respondents"),
        C("k", "BIGINT", "items", "items of the construct"),
        C("alpha", "DOUBLE", "0–1", "Cronbach's alpha of the construct"),
        C("citc", "DOUBLE", "correlation", "corrected item-total correlation"),
        C("alpha_if_deleted", "DOUBLE", "0–1", "alpha without this item"),
        C("item_mean", "DOUBLE", "scale points", "item mean"),
        C("item_sd", "DOUBLE", "scale points", "item standard deviation"),
        _STATUS), "alpha"),
    _t("survey_adequacy", "KMO and Bartlett's test of sphericity per block (item rows: KMO per item)", "§10.2", (
        _BLOCK, C("item", "VARCHAR", "", "item (NULL: the whole block)", key=True, null_key=True),
        C("n_items", "BIGINT", "items", "items in the block"),
        C("kmo", "DOUBLE", "0–1", "Kaiser–Meyer–Olkin measure"),
        C("bartlett_chi2", "DOUBLE", "", "Bartlett χ² (block rows)"),
        C("bartlett_df", "BIGINT", "", "Bartlett degrees of freedom"),
        C("bartlett_p", "DOUBLE", "probability", "Bartlett p-value")), "kmo"),
    _t("survey_efa", "EFA loadings (principal components, varimax) per block", "§10.3", (
        _BLOCK, _ITEM, C("factor", "BIGINT", "", "rotated factor number", key=True),
        C("loading", "DOUBLE", "correlation", "rotated loading"),
        C("communality", "DOUBLE", "0–1", "communality of the item"),
        C("primary_factor", "BIGINT", "", "factor with the largest |loading| of the item"),
        C("retained", "BOOLEAN", "", "item kept (max |loading| ≥ cut-off)"),
        C("flag", "VARCHAR", "", "why an item is flagged, else empty")), "loading"),
    _t("survey_efa_factors", "Eigenvalues and explained variance of the EFA components", "§10.3", (
        _BLOCK, C("component", "BIGINT", "", "component number", key=True),
        C("eigenvalue", "DOUBLE", "", "eigenvalue of the correlation matrix"),
        C("eigen_variance_pct", "DOUBLE", "%", "variance explained by the component"),
        C("extracted", "BOOLEAN", "", "component extracted (eigenvalue > 1 or configured)"),
        C("rotated_ss_loadings", "DOUBLE", "", "sum of squared rotated loadings"),
        C("rotated_variance_pct", "DOUBLE", "%", "variance explained after rotation"),
        C("rotated_cumulative_pct", "DOUBLE", "%", "cumulative variance after rotation")), "eigenvalue"),
    _t("survey_estimates", "CFA/SEM parameter estimates (lavaan layout)", "§10.4", (
        C("lhs", "VARCHAR", "", "left-hand side", key=True),
        C("op", "VARCHAR", "", "operator: =~ loading, ~ regression, ~~ (co)variance", key=True),
        C("rhs", "VARCHAR", "", "right-hand side", key=True),
        C("kind", "VARCHAR", "", "loading, regression, covariance or variance"),
        C("label", "VARCHAR", "", "hypothesis label of the path (H1 …)"),
        C("est", "DOUBLE", "unstandardised", "ML estimate"),
        C("se", "DOUBLE", "unstandardised", "standard error"),
        C("z", "DOUBLE", "", "z = est / se"), _P,
        C("std_all", "DOUBLE", "standardised", "completely standardised estimate"),
        C("free", "BOOLEAN", "", "free parameter (False: fixed, e.g. the marker loading)"),
        _STATUS), "est"),
    _t("survey_fit", "Model fit indices of the CFA/SEM", "§10.4", (
        C("index", "VARCHAR", "", "fit index: chi2, df, cfi, tli, rmsea, srmr, gfi, agfi …", key=True),
        C("value", "DOUBLE", "", "value of the index"),
        C("cutoff", "VARCHAR", "", "conventional cut-off (e.g. > 0.9)"),
        C("meets_cutoff", "BOOLEAN", "", "value meets the cut-off"), _STATUS), "value"),
    _t("survey_modindices", "Modification indices of the fixed parameters", "§10.4", (
        C("lhs", "VARCHAR", "", "left-hand side", key=True),
        C("op", "VARCHAR", "", "operator", key=True),
        C("rhs", "VARCHAR", "", "right-hand side", key=True),
        C("mi", "DOUBLE", "χ² (1 df)", "modification index"),
        C("epc", "DOUBLE", "unstandardised", "expected parameter change"),
        C("sepc_all", "DOUBLE", "standardised", "standardised expected parameter change"), _P,
        C("note", "VARCHAR", "", "e.g. not identified if freed")), "mi"),
    _t("survey_validity", "Composite reliability, AVE and Fornell–Larcker check per latent", "§10.4", (
        C("latent", "VARCHAR", "", "latent variable", key=True),
        C("k", "BIGINT", "items", "indicators of the latent"),
        C("cr", "DOUBLE", "0–1", "composite reliability"),
        C("ave", "DOUBLE", "0–1", "average variance extracted"),
        C("sqrt_ave", "DOUBLE", "0–1", "square root of AVE"),
        C("max_abs_corr", "DOUBLE", "correlation", "largest |correlation| with another latent"),
        C("max_corr_with", "VARCHAR", "", "the latent of that correlation"),
        C("fornell_larcker_ok", "BOOLEAN", "", "sqrt(AVE) exceeds every correlation")), "cr"),
    _t("survey_latent_correlations", "Correlations between latents with the Fornell–Larcker check", "§10.4", (
        C("latent_1", "VARCHAR", "", "first latent", key=True),
        C("latent_2", "VARCHAR", "", "second latent", key=True),
        C("r", "DOUBLE", "correlation", "latent correlation"),
        C("sqrt_ave_1", "DOUBLE", "0–1", "sqrt(AVE) of latent_1"),
        C("sqrt_ave_2", "DOUBLE", "0–1", "sqrt(AVE) of latent_2"),
        C("fornell_larcker_ok", "BOOLEAN", "", "|r| below both sqrt(AVE)")), "r"),
)  # fmt: skip
