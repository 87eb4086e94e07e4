from __future__ import annotations

from core.retrieve import diverse, fts_query, near_duplicate, rrf, shingles
from core.settings import RetrievalSettings


def test_fts_query_drops_stopwords_and_quotes_terms():
    assert fts_query("What was used to train BERT?") == '"train" OR "bert"'
    assert fts_query("what is the") == ""
    assert '"0.001"' in fts_query("learning rate 0.001")


def test_fts_query_adds_instances_of_method_categories():
    query = fts_query("Which hardware was used?")
    assert '"hardware"' in query and '"tpu"' in query and '"gpu"' in query
    assert '"discarded"' in fts_query("What data cleaning was applied?")


def test_rrf_rewards_agreement():
    scores = rrf([[1, 2, 3], [2, 1, 4]], k=60)
    assert max(scores, key=scores.get) in (1, 2)
    assert scores[2] > scores[3] and scores[1] > scores[4]


def test_default_fusion_lets_one_retrievers_top_hit_through():
    # within one paper, BM25's first hit is often the answer while the embedding misses it:
    # it must outrank passages that both retrievers only place mid-list
    lexical, dense = [7, *range(20, 40)], list(range(20, 40))
    scores = rrf([lexical, dense], k=RetrievalSettings().rrf_k)
    assert scores[7] > scores[30]


def test_near_duplicate_on_overlapping_text():
    a = shingles("the quick brown fox jumps over the lazy dog near the river bank today")
    b = shingles("the quick brown fox jumps over the lazy dog near the river bank")
    c = shingles("completely different words about optimizers and learning rates here")
    assert near_duplicate(a, b)
    assert not near_duplicate(a, c)


def test_instance_query_names_what_answers_a_category():
    from core.retrieve import instance_query

    assert '"adam"' in instance_query("Which optimizer was used?")
    assert instance_query("What was the main finding?") == ""


def test_diversity_keeps_a_passage_that_runs_onto_a_new_page():
    def row(page: int, end: int, text: str) -> dict:
        return {"doc_id": "d", "page_start": page, "page_end": end, "text": text}

    rows = {
        1: row(11, 11, "fine-tuning details for the adversarial filtering rounds on page eleven"),
        2: row(11, 11, "human validation setup with six answers to choose from on page eleven"),
        3: row(11, 12, "we continue training for ten epochs and use a learning rate of 2e-5"),
        4: row(11, 11, "yet another passage about page eleven and nothing else at all here"),
        5: row(3, 3, "a passage on page three about the dataset and its construction steps"),
    }
    assert diverse([1, 2, 3, 4, 5], rows, k=4, max_per_page=2) == [1, 2, 3, 5]
