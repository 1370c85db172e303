"""The not-covered decision's clear-miss rule and the typo test it leans on."""
from kbqa.answer.decide import MISS_COVERAGE, MISS_P, Decider, clear_miss
from kbqa.retrieval.coverage import LatinNeighbours


def test_a_latin_word_one_or_two_typos_from_the_faqs_is_no_new_term():
    near = LatinNeighbours({"calico", "flannel", "kubernetes", "docker", "nsx", "java", "存储"})
    for typo in ("flanel", "kubenets", "dokcer", "calcio", "java"):
        assert near.near(typo), typo
    for term in ("mtu", "etcd", "kubeadm", "harbor", "typha", "docker-compose", "canal.yaml"):
        assert not near.near(term), term  # short words get one edit, not two: "mtu" is not "nsx"
    assert near.near("nsx-t") and near.near("calico-flannel")  # compounds of known parts are known


def test_an_unknown_term_refuses_only_an_unsure_mostly_unknown_question():
    term = {"strange_latin": 1.0, "cov_any": 0.5}
    assert clear_miss(term, MISS_P - 0.05)
    assert not clear_miss(term, MISS_P + 0.05)  # the model sure enough
    assert not clear_miss({**term, "cov_any": MISS_COVERAGE + 0.1}, 0.3)  # most words the FAQ's
    assert not clear_miss({**term, "strange_latin": 0.0}, 0.3)  # no unknown term (or a typo of a known one)
    d = Decider(("cov_any",), (0.0,), 0.0, threshold=0.3)  # p = 0.5 for any features
    assert d.covered({"n_words": 3.0, "cov_any": 0.5}) == (True, 0.5)
    low = Decider(("cov_any",), (0.0,), -0.3, threshold=0.3)  # p ~ 0.43
    covered, p = low.covered({"n_words": 3.0, "cov_any": 0.5, "strange_latin": 1.0})
    assert p < MISS_P and not covered
