"""Cosine similarity, softmax and the symmetric InfoNCE loss of EQ MM1.4."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from figures_src.kernels.similarity import (
    cosine_similarity_matrix,
    info_nce_grad,
    info_nce_loss,
    info_nce_loss_and_grad,
    l2_normalize,
    softmax,
)

logit_arrays = hnp.arrays(
    np.float64,
    shape=st.integers(1, 12),
    elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False),
)


def _naive_softmax(logits, temperature):
    exps = [math.exp(x / temperature) for x in logits]
    return [e / sum(exps) for e in exps]


@settings(max_examples=100, deadline=None)
@given(logits=logit_arrays, temperature=st.floats(0.5, 10))
def test_softmax_matches_the_textbook_formula(logits, temperature):
    np.testing.assert_allclose(
        softmax(logits, temperature), _naive_softmax(logits, temperature), rtol=1e-9, atol=1e-300
    )


@settings(max_examples=100, deadline=None)
@given(logits=logit_arrays, temperature=st.floats(0.01, 100))
def test_softmax_is_a_distribution(logits, temperature):
    probabilities = softmax(logits, temperature)
    assert np.all(probabilities >= 0)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    logits=logit_arrays,
    temperatures=st.lists(st.floats(0.01, 100), min_size=2, max_size=2, unique=True),
)
def test_lower_temperature_never_lowers_the_top_probability(logits, temperatures):
    cold, hot = sorted(temperatures)
    assert softmax(logits, cold).max() >= softmax(logits, hot).max() - 1e-12
    # At any temperature the most probable option is a top logit (up to rounding ties).
    for temperature in (cold, hot):
        assert logits[np.argmax(softmax(logits, temperature))] >= logits.max() - 1e-9


def test_softmax_limits_one_hot_when_cold_and_uniform_when_hot():
    logits = np.array([0.9, 0.3, 0.1])
    assert softmax(logits, 1e-3).tolist() == pytest.approx([1.0, 0.0, 0.0], abs=1e-12)
    assert softmax(logits, 1e6).tolist() == pytest.approx([1 / 3] * 3, abs=1e-6)


def test_softmax_survives_huge_logits_and_works_along_an_axis():
    # exp(1000) overflows; warnings are errors in this suite, so a naive version would fail.
    assert softmax([1000.0, 999.0]).tolist() == pytest.approx(_naive_softmax([1.0, 0.0], 1.0))
    matrix = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(softmax(matrix, axis=0).sum(axis=0), [1.0, 1.0])


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), float("inf")])
def test_softmax_rejects_bad_temperatures(temperature):
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0, 2.0], temperature)


def test_cosine_similarity_against_the_definition():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    expected = [[a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) for b in v] for a in u]
    np.testing.assert_allclose(cosine_similarity_matrix(u, v), expected, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(l2_normalize(u), axis=1), 1.0)


def test_chapter_listing_dog_caption_wins():
    image = [0.9, 0.2, 0.1, 0.0]
    captions = [[0.8, 0.3, 0.0, 0.1], [0.1, 0.9, 0.2, 0.0], [0.0, 0.1, 0.2, 0.9]]
    scores = cosine_similarity_matrix(image, captions)[0]
    assert np.argmax(scores) == 0
    # dot 0.72 + 0.06 = 0.78; squared norms 0.86 and 0.74
    assert scores[0] == pytest.approx(0.78 / math.sqrt(0.86 * 0.74), rel=1e-12)


def test_zero_vectors_cannot_be_normalised():
    with pytest.raises(ValueError, match="zero vector"):
        l2_normalize([[1.0, 0.0], [0.0, 0.0]])


def _info_nce_with_loops(images, texts, temperature):
    """EQ MM1.4 written term by term."""
    n = len(images)
    sim = [
        [float(l2_normalize(images[i]) @ l2_normalize(texts[j])) for j in range(n)]
        for i in range(n)
    ]
    total = 0.0
    for i in range(n):
        row = math.log(sum(math.exp(sim[i][j] / temperature) for j in range(n)))
        column = math.log(sum(math.exp(sim[j][i] / temperature) for j in range(n)))
        total += -0.5 * ((sim[i][i] / temperature - row) + (sim[i][i] / temperature - column))
    return total / n


@pytest.mark.parametrize(("n", "dim", "temperature"), [(1, 3, 1.0), (4, 5, 0.1), (7, 3, 0.5)])
def test_info_nce_matches_the_equation_written_with_loops(n, dim, temperature):
    rng = np.random.default_rng(n)
    images, texts = rng.normal(size=(n, dim)), rng.normal(size=(n, dim))
    assert info_nce_loss(images, texts, temperature) == pytest.approx(
        _info_nce_with_loops(images, texts, temperature), rel=1e-12
    )


def test_info_nce_reference_points():
    n = 6
    # Indistinguishable embeddings: every caption is equally likely, loss = log n.
    same = np.ones((n, 4))
    assert info_nce_loss(same, same, 0.1) == pytest.approx(math.log(n))
    # Orthogonal, perfectly matched pairs at a cold temperature: loss near zero.
    eye = np.eye(n)
    assert info_nce_loss(eye, eye, 0.01) < 1e-30
    # Swapping the captions of a matched batch makes the loss large instead.
    assert info_nce_loss(eye, eye[::-1], 0.01) > 50


def test_info_nce_ignores_embedding_length():
    rng = np.random.default_rng(11)
    images, texts = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    lengths = rng.uniform(0.1, 10, size=(5, 1))
    assert info_nce_loss(images * lengths, texts, 0.2) == pytest.approx(
        info_nce_loss(images, texts, 0.2), rel=1e-12
    )


def _central_difference(function, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (function(up) - function(down)) / (2 * eps)
    return grad


@pytest.mark.parametrize(("n", "dim", "temperature"), [(2, 3, 1.0), (5, 4, 0.1), (8, 6, 0.07)])
def test_info_nce_gradient_matches_finite_differences(n, dim, temperature):
    rng = np.random.default_rng(100 + n)
    images = rng.normal(size=(n, dim)) * rng.uniform(0.5, 3, size=(n, 1))
    texts = rng.normal(size=(n, dim))
    grad_images, grad_texts = info_nce_grad(images, texts, temperature)
    numeric_images = _central_difference(lambda x: info_nce_loss(x, texts, temperature), images)
    numeric_texts = _central_difference(lambda x: info_nce_loss(images, x, temperature), texts)
    np.testing.assert_allclose(grad_images, numeric_images, atol=1e-7, rtol=1e-5)
    np.testing.assert_allclose(grad_texts, numeric_texts, atol=1e-7, rtol=1e-5)


def test_gradient_is_orthogonal_to_each_raw_vector_and_descends():
    rng = np.random.default_rng(5)
    images, texts = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    loss, grad_images, grad_texts = info_nce_loss_and_grad(images, texts, 0.2)
    assert loss == info_nce_loss(images, texts, 0.2)
    # Lengths do not affect the loss, so the gradient has no radial part.
    np.testing.assert_allclose(np.sum(grad_images * images, axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.sum(grad_texts * texts, axis=1), 0.0, atol=1e-12)
    stepped = info_nce_loss(images - 1e-2 * grad_images, texts - 1e-2 * grad_texts, 0.2)
    assert stepped < loss


@pytest.mark.parametrize(
    ("images", "texts", "temperature", "message"),
    [
        (np.ones((3, 2)), np.ones((4, 2)), 0.1, "matching"),
        (np.ones(3), np.ones(3), 0.1, "matching"),
        (np.ones((0, 2)), np.ones((0, 2)), 0.1, "non-empty"),
        (np.ones((3, 2)), np.ones((3, 2)), 0.0, "temperature"),
    ],
)
def test_info_nce_validates_its_inputs(images, texts, temperature, message):
    with pytest.raises(ValueError, match=message):
        info_nce_loss(images, texts, temperature)
    with pytest.raises(ValueError, match=message):
        info_nce_grad(images, texts, temperature)
