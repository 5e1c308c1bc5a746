"""Hazard taxonomy similarities and Chinese/English tokenisation."""

from __future__ import annotations

import numpy as np

from services.casebase.taxonomy import HAZARD_MATRIX, KIND_MATRIX, PARK_MATRIX, hazard_similarity, kind_similarity, substance_key, substance_similarity
from services.casebase.text import TfidfIndex, tokenize
from services.casebase.vocabulary import AccidentKind as K
from services.casebase.vocabulary import HazardClass as H


def test_toxic_gas_is_closer_to_flammable_gas_than_to_corrosive_or_misc() -> None:
    assert hazard_similarity(H.C2_3, H.C2_3) == 1.0
    assert hazard_similarity(H.C2_3, H.C2_1) > hazard_similarity(H.C2_3, H.C9)
    assert hazard_similarity(H.C2_1, H.C3) > hazard_similarity(H.C2_1, H.C8)
    assert hazard_similarity(H.C5_1, H.C1_1) > hazard_similarity(H.C5_1, H.C3)


def test_chlorine_is_close_to_ammonia_and_far_from_petrol() -> None:
    chlorine, ammonia, petrol = substance_key("1017", "chlorine"), substance_key("1005", "ammonia"), substance_key("1203", "gasoline")
    near, why = substance_similarity(chlorine, H.C2_3, ammonia, H.C2_3)
    far, _ = substance_similarity(chlorine, H.C2_3, petrol, H.C3)
    assert near == 0.8 and "family" in why
    assert far < 0.2


def test_fire_is_close_to_explosion() -> None:
    assert kind_similarity(K.FIRE, K.EXPLOSION) >= 0.7
    assert kind_similarity(K.FIRE, K.TOXIC_GAS_LEAK) < 0.1


def test_similarity_matrices_are_symmetric_with_unit_diagonal() -> None:
    for m in (HAZARD_MATRIX, KIND_MATRIX, PARK_MATRIX):
        assert np.allclose(m, m.T)
        assert np.allclose(np.diag(m), 1.0)
        assert m.min() >= 0 and m.max() <= 1


def test_chinese_is_segmented_into_words_not_characters_or_whitespace() -> None:
    tokens = tokenize("液氯储罐阀门泄漏，黄绿色气体扩散")
    assert "泄漏" in tokens and "储罐" in tokens
    assert "chlorine" in tokens and "leak" in tokens and "tank" in tokens
    assert all(len(t) > 1 for t in tokens)


def test_single_characters_only_map_as_whole_words() -> None:
    assert "river" not in tokenize("江苏响水化工园区")
    assert "river" in tokenize("污染松花江")


def test_english_inflections_meet() -> None:
    assert tokenize("Tanks exploded after gasoline leaked") == tokenize("tank explosion after petrol leak")


def test_chinese_query_finds_the_bilingual_document() -> None:
    docs = [tokenize("Chlorine leak from a rail tank car. 氯气槽车泄漏"), tokenize("Gasoline tank fire at a depot")]
    tfidf = TfidfIndex(docs)
    scores = tfidf.scores(tfidf.query_vector(tokenize("液氯泄漏")))
    assert scores[0] > 0.3 and scores[1] == 0.0
