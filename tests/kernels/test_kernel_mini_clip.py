"""The miniature CLIP: data, hand-written backprop, training, zero-shot and determinism."""

import numpy as np
import pytest

from figures_src.kernels import mini_clip
from figures_src.kernels.mini_clip import (
    CLASS_NAMES,
    VOCABULARY,
    encode_captions,
    held_out_accuracy,
    make_dataset,
    train_mini_clip,
    zero_shot,
)


@pytest.fixture(scope="module")
def trained():
    # How long it takes is measured by `make bench` (target < 10 s), not asserted here:
    # a shared machine's noise would make such a test fail at random.
    return train_mini_clip(seed=0)


def test_loss_falls_substantially(trained):
    curve = trained.loss_curve
    assert curve.shape == (trained.settings["steps"],)
    assert np.all(np.isfinite(curve))
    assert curve[-20:].mean() < 0.5 * curve[:10].mean()


def test_zero_shot_over_all_classes_is_at_least_90_percent_on_held_out_images(trained):
    accuracy = held_out_accuracy(trained)
    print(f"held-out zero-shot accuracy: {accuracy:.3f} over {len(CLASS_NAMES)} classes")
    assert accuracy >= 0.90


def test_zero_shot_also_works_with_another_caption_template(trained):
    data = trained.held_out
    result = zero_shot(trained, data.images, CLASS_NAMES, template="a picture of a {}")
    assert np.mean(result.predictions == data.labels) >= 0.85


def test_untrained_model_is_near_chance(trained):
    data = trained.held_out
    result = zero_shot(trained.initial_model, data.images, CLASS_NAMES)
    assert np.mean(result.predictions == data.labels) < 0.2  # chance is 1/20


def test_training_makes_the_matching_pairs_the_hot_diagonal(trained):
    images = trained.held_out.images[:16]
    captions = trained.held_out.captions[:16]
    labels = trained.held_out.labels[:16]
    same_class = labels[:, np.newaxis] == labels[np.newaxis, :]

    def contrast(model):
        similarity = model.similarity(images, captions)
        assert similarity.shape == (16, 16)
        return similarity[same_class].mean() - similarity[~same_class].mean()

    assert contrast(trained.model) > 0.5
    assert contrast(trained.model) > contrast(trained.initial_model) + 0.4


def test_zero_shot_probabilities_are_a_softmax_over_the_prompts(trained):
    images = trained.held_out.images[:5]
    result = zero_shot(trained, images, ["red circle", "blue square"])
    assert result.prompts == ("a photo of a red circle", "a photo of a blue square")
    assert result.probabilities.shape == (5, 2)
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0)
    assert np.array_equal(result.predictions, result.probabilities.argmax(axis=1))


def test_embeddings_are_unit_length(trained):
    np.testing.assert_allclose(
        np.linalg.norm(trained.embed_images(trained.held_out.images[:7]), axis=1), 1.0
    )
    np.testing.assert_allclose(np.linalg.norm(trained.embed_texts(["a red cross"]), axis=1), 1.0)


def test_same_seed_gives_identical_bytes_and_a_new_seed_differs(trained):
    again = train_mini_clip(seed=0)
    assert again.loss_curve.tobytes() == trained.loss_curve.tobytes()
    for name, weights in trained.model.parameters.items():
        assert again.model.parameters[name].tobytes() == weights.tobytes()
    assert again.held_out.images.tobytes() == trained.held_out.images.tobytes()

    other = train_mini_clip(seed=1)
    assert other.loss_curve.tobytes() != trained.loss_curve.tobytes()
    assert (
        other.model.parameters["conv_w"].tobytes() != trained.model.parameters["conv_w"].tobytes()
    )
    assert held_out_accuracy(other) >= 0.90


def test_weights_and_data_are_read_only(trained):
    with pytest.raises(ValueError):
        trained.model.parameters["text_w"][0, 0] = 1.0
    with pytest.raises(ValueError):
        trained.train.images[0, 0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        trained.model.parameters["text_w"] = None


def test_train_and_held_out_images_are_different_draws(trained):
    train_rows = {image.tobytes() for image in trained.train.images}
    assert not any(image.tobytes() in train_rows for image in trained.held_out.images)


def test_dataset_images_and_captions_agree_with_labels():
    data = make_dataset(300, seed=4)
    assert data.images.shape == (300, 16, 16, 3) and len(data) == 300
    assert data.images.min() >= 0 and data.images.max() <= 1
    for caption, label in zip(data.captions, data.labels, strict=True):
        assert caption.endswith(CLASS_NAMES[label])
    # Every class appears, and red shapes are redder than blue ones on their brightest pixels.
    assert set(data.labels.tolist()) == set(range(len(CLASS_NAMES)))
    colour = data.labels // len(mini_clip.SHAPES)
    names = list(mini_clip.COLOURS)
    red_ratio = data.images[..., 0].max(axis=(1, 2)) - data.images[..., 2].max(axis=(1, 2))
    assert red_ratio[colour == names.index("red")].mean() > 0.3
    assert red_ratio[colour == names.index("blue")].mean() < -0.3


def test_dataset_is_reproducible_per_seed():
    assert make_dataset(50, 1).images.tobytes() == make_dataset(50, 1).images.tobytes()
    assert make_dataset(50, 1).images.tobytes() != make_dataset(50, 2).images.tobytes()


def test_shapes_have_comparable_areas_so_size_does_not_give_the_class_away():
    centre = np.array([8.0])
    radius = np.array([5.0])
    areas = [
        mini_clip._shape_masks(np.array([k]), centre, centre, radius).sum()
        for k in range(len(mini_clip.SHAPES))
    ]
    assert max(areas) < 2 * min(areas)


def test_bag_of_words_counts_and_closed_vocabulary():
    bags = encode_captions(["a photo of a red circle"])
    assert bags.shape == (1, len(VOCABULARY))
    assert bags[0, VOCABULARY.index("a")] == 2
    assert bags[0, VOCABULARY.index("circle")] == 1
    assert bags.sum() == 6
    with pytest.raises(ValueError, match="dog"):
        encode_captions(["a photo of a dog"])
    with pytest.raises(ValueError, match="sequence"):
        encode_captions("a red circle")


def test_hand_written_backprop_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = mini_clip._initial_parameters(rng)
    data = make_dataset(6, seed=9)
    bags = encode_captions(data.captions)
    _, grads = mini_clip._loss_and_grads(params, data.images, bags, 0.5)
    assert set(grads) == set(mini_clip.PARAMETER_NAMES)
    eps = 1e-6
    for name, value in params.items():
        for flat_index in rng.choice(value.size, size=6, replace=False):
            index = np.unravel_index(flat_index, value.shape)
            original = value[index]
            value[index] = original + eps
            up, _ = mini_clip._loss_and_grads(params, data.images, bags, 0.5)
            value[index] = original - eps
            down, _ = mini_clip._loss_and_grads(params, data.images, bags, 0.5)
            value[index] = original
            numeric = (up - down) / (2 * eps)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-4, abs=1e-8), name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"steps": 0}, "steps"), ({"batch_size": 200, "n_train": 100}, "exceeds")],
)
def test_training_arguments_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_mini_clip(**kwargs)


def test_matched_and_mismatched_cosines_are_the_means_over_own_and_other_prompts(trained):
    data = trained.held_out
    prompts = [f"a photo of a {label}" for label in data.label_names]
    texts = trained.embed_texts(prompts)
    own, other = [], []
    for image, label in zip(trained.embed_images(data.images), data.labels, strict=True):
        for k, text in enumerate(texts):
            cosine = float(np.dot(image, text) / (np.linalg.norm(image) * np.linalg.norm(text)))
            (own if k == label else other).append(cosine)
    matched, mismatched = mini_clip.matched_and_mismatched_cosines(trained, data)
    assert matched == pytest.approx(np.mean(own), abs=1e-12)
    assert mismatched == pytest.approx(np.mean(other), abs=1e-12)
    assert len(own) == len(data) and len(other) == len(data) * (len(prompts) - 1)
    assert matched > mismatched + 0.3  # a clear gap, though the matched level is well below 1
    assert matched < 0.95
