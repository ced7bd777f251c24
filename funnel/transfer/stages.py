"""Which funnel level a deal at another tool's stage most likely stands at: a suggestion the
user confirms on the import page, never a decision (docs/method.md §1, the funnel's levels).

Closed stages say it in words ("Closed Won", "Perso"). Open stages spread over the three open
levels by how likely the tool thinks they are to close: the probabilities of the default
pipelines of HubSpot, Salesforce, Zoho and Pipedrive, else words every sales team uses
("Proposal", "Demo"), else their place in the pipeline's order.
"""

import re
from collections.abc import Iterable

from funnel.sales.models import Level
from funnel.transfer.values import fold

WON = {"won", "closedwon", "gewonnen", "vinto", "vinta", "ganado", "ganada", "vunnen", "vunnet"}
LOST = {
    "lost",
    "closedlost",
    "verloren",
    "perso",
    "persa",
    "perdido",
    "perdida",
    "forlorad",
    "forlorat",
}
# The default pipelines' stages and the probability each tool gives them, in percent.
KNOWN = {
    # HubSpot
    "appointment scheduled": 20,
    "qualified to buy": 40,
    "presentation scheduled": 60,
    "decision maker bought-in": 80,
    "contract sent": 90,
    # Salesforce
    "prospecting": 10,
    "qualification": 10,
    "needs analysis": 20,
    "value proposition": 50,
    "id. decision makers": 60,
    "perception analysis": 70,
    "proposal/price quote": 75,
    "negotiation/review": 90,
    # Zoho CRM (besides the stages it shares with Salesforce)
    "identify decision makers": 60,
    # Pipedrive
    "lead in": 10,
    "qualified": 20,
    "contact made": 25,
    "needs defined": 40,
    "demo scheduled": 50,
    "proposal made": 80,
    "negotiations started": 90,
}
# Words in a stage's name, in Funnel's languages and German, from the latest step of a sale
# to the earliest: the first list a stage's name matches gives its probability.
KEYWORDS = [
    (
        85,
        "proposal quote offer offert negotiat negozia onderhandel negocia forhandl contract "
        "contratt contrato kontrakt avtal commit verbal closing propost voorstel propuesta "
        "forslag angebot vertrag verhandl",
    ),
    (
        15,
        "lead new prospect contact initial discovery qualification qualifica kwalificatie "
        "cualificacion kvalificering appointment first nuov nieuw nuevo kontakt primo",
    ),
    (
        50,
        "qualified demo present meeting needs analys evaluat decision value solution trial "
        "pilot riunione dimostra analisi reunion bewert behov",
    ),
]
_PERCENT = re.compile(r"(\d{1,3})\s*%")
ABOVE_BELOW = 30  # under 30 %: above the funnel
BEST_FEW_FROM = 75  # from 75 %: among the best few


def suggested_level(stage: str) -> str | None:
    """Won or lost when the stage's name says so; None for an open stage (the user chooses
    among above, in and best few; `suggested_stage_levels` suggests one)."""
    words = set(re.findall(r"\w+", fold(stage)))
    if words & LOST:
        return Level.LOST.value
    if words & WON:
        return Level.WON.value
    return None


def suggested_stage_levels(stages: Iterable[str]) -> dict[str, str]:
    """Every stage → a level; `stages` in the pipeline's order when known (or as first met)."""
    levels = dict.fromkeys(stages, "")  # in the order given
    open_stages: list[str] = []
    for stage in levels:
        closed = suggested_level(stage)
        if closed:
            levels[stage] = closed
        elif stage.strip():
            open_stages.append(stage)
        else:
            levels[stage] = Level.IN.value  # deals without a stage: open, level unknown
    for position, stage in enumerate(open_stages):
        probability = _probability(stage)
        if probability is None:
            probability = 100 * (position + 1) // (len(open_stages) + 1)
        levels[stage] = _level_at(probability)
    return levels


def _probability(stage: str) -> int | None:
    folded = " ".join(fold(stage).split())
    if folded in KNOWN:
        return KNOWN[folded]
    percent = _PERCENT.search(folded)
    if percent and int(percent[1]) <= 100:
        return int(percent[1])
    for probability, words in KEYWORDS:
        if any(word in folded for word in words.split()):
            return probability
    return None


def _level_at(probability: int) -> str:
    if probability < ABOVE_BELOW:
        return Level.ABOVE.value
    if probability < BEST_FEW_FROM:
        return Level.IN.value
    return Level.BEST_FEW.value
