"""Reference study B's published standardised solution (Sustainability 2022, 14, 3576;
../shared/REFERENCE_STUDIES.md §B), used to simulate the demo data and to test recovery.

Not published, chosen here and documented in data/survey_demo/PROVENANCE.md:
- correlations among B1–B3 and among B4–B6 (the paper lists only the nine B1–B3 × B4–B6
  covariances H7–H15; with the other six at 0 the latent correlation matrix would not be
  positive definite): WITHIN_GROUP_CORR for each;
- loadings of the items the EFA dropped (C13 on B3, C14 on B4, C25 on B6): DROPPED_ITEM_LOADING;
- H16 (A2↔A1 0.472) is read as the correlation of the disturbances of A1 and A2, which is what
  AMOS reports for a double-headed arrow between two endogenous variables.
"""

from __future__ import annotations

from measures.survey.simulate import StandardisedSolution

N_RESPONDENTS = 481
WITHIN_GROUP_CORR = 0.60
DROPPED_ITEM_LOADING = 0.30
DEMO_SEED = 3576  # the article number

LOADINGS: dict[str, tuple[str, float]] = {
    "C1": ("B1", 0.807), "C2": ("B1", 0.733), "C3": ("B1", 0.815), "C4": ("B1", 0.702),
    "C5": ("B2", 0.737), "C6": ("B2", 0.558), "C7": ("B2", 0.791), "C8": ("B2", 0.683),
    "C9": ("B2", 0.732), "C10": ("B2", 0.681),
    "C11": ("B3", 0.884), "C12": ("B3", 0.701),
    "C15": ("B4", 0.673), "C16": ("B4", 0.620), "C17": ("B4", 0.815), "C18": ("B4", 0.771),
    "C19": ("B5", 0.694), "C20": ("B5", 0.615), "C21": ("B5", 0.714), "C22": ("B5", 0.709),
    "C23": ("B6", 0.825), "C24": ("B6", 0.739),
    "C26": ("A1", 0.893), "C27": ("A1", 0.856),
    "C28": ("A2", 0.709), "C29": ("A2", 0.714),
}  # fmt: skip
DROPPED = {"C13": "B3", "C14": "B4", "C25": "B6"}

# (outcome, predictor) → standardised coefficient, hypothesis label
PATHS: dict[tuple[str, str], tuple[str, float]] = {
    ("A1", "B1"): ("H1", 0.239),
    ("A1", "B3"): ("H2", 0.478),
    ("A1", "B2"): ("H3", 0.153),
    ("A2", "B4"): ("H4", 0.203),
    ("A2", "B6"): ("H5", 0.381),
    ("A2", "B5"): ("H6", 0.436),
}
COVARIANCES: dict[tuple[str, str], tuple[str, float]] = {
    ("B1", "B4"): ("H7", 0.581),
    ("B1", "B6"): ("H8", 0.633),
    ("B1", "B5"): ("H9", 0.569),
    ("B3", "B4"): ("H10", 0.589),
    ("B3", "B6"): ("H11", 0.703),
    ("B3", "B5"): ("H12", 0.604),
    ("B2", "B4"): ("H13", 0.704),
    ("B2", "B6"): ("H14", 0.663),
    ("B2", "B5"): ("H15", 0.617),
    ("A2", "A1"): ("H16", 0.472),
}


def solution(with_dropped_items: bool = True) -> StandardisedSolution:
    """Study B's standardised solution; items in questionnaire order C1..C29 when
    `with_dropped_items` (the EFA-dropped items get DROPPED_ITEM_LOADING)."""
    loads = dict(LOADINGS)
    if with_dropped_items:
        loads.update({k: (v, DROPPED_ITEM_LOADING) for k, v in DROPPED.items()})
        loads = {f"C{i}": loads[f"C{i}"] for i in range(1, 30)}
    corr = {k: v for k, (_, v) in COVARIANCES.items() if k != ("A2", "A1")}
    for group in (("B1", "B2", "B3"), ("B4", "B5", "B6")):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                corr[(a, b)] = WITHIN_GROUP_CORR
    return StandardisedSolution(
        loadings=loads,
        paths={k: v for k, (_, v) in PATHS.items()},
        latent_corr=corr,
        disturbance_corr={("A2", "A1"): COVARIANCES[("A2", "A1")][1]},
    )
